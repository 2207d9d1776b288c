package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.internal.SnapshotDescriptor;
import dev.larder.internal.SnapshotReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection for snapshots (#11): truncation at every section boundary and at random offsets,
 * every single flipped bit of a small file and random multi-bit damage of a larger one, a disk that
 * fills up (through an injected channel, and on a real 256 KiB tmpfs where this process may mount
 * one), failing fsync, and permission denied. A damaged file must be refused with a message naming
 * it; a failed save must leave the previous snapshot as it was and no temporary file.
 */
class Issue11SnapshotFaultTest
{
    @TempDir
    Path dir;

    @AfterEach
    void restoreChannels()
    {
        OffHeapCache.snapshotChannelHook = dev.larder.internal.SnapshotWriter.FILES;
    }

    // ---------------------------------------------------------------------------------------------
    // Damaged files
    // ---------------------------------------------------------------------------------------------

    @Test
    void truncationAtEverySectionBoundaryAndAtRandomOffsetsIsRefused() throws IOException
    {
        final byte[] bytes = Files.readAllBytes(saved("whole.snap", 8, 300));
        assertTrue(bytes.length > SnapshotReader.PREFETCH_MIN_BYTES,
            "long cuts are read ahead by the prefetch thread, short ones inline: " + bytes.length);
        final List<Integer> cuts = new ArrayList<>(sectionBoundaries(bytes));
        final Random random = new Random(11);
        for (int i = 0; i < 100; i++)
        {
            cuts.add(random.nextInt(bytes.length));
        }
        for (int cut = 0; cut < 80; cut++)
        {
            cuts.add(cut); // inside the header and the first section header, byte by byte
        }
        final Path file = dir.resolve("cut.snap");
        for (final int cut : cuts)
        {
            Files.write(file, Arrays.copyOf(bytes, cut));
            final String message = refusal(file);
            final String expected = cut == 0 ? "the file is empty" : "truncated: ";
            assertTrue(message.startsWith("cannot load the snapshot " + file + ": " + expected), cut + ": " + message);
        }
    }

    @Test
    void everySingleFlippedBitIsDetected() throws IOException
    {
        final Path small = dir.resolve("small.snap");
        try (OffHeapCache cache = OffHeapCache.builder().capacity(16 << 10).segments(2).hashSeed(3).build())
        {
            cache.put(1L, new byte[] {1, 2, 3});
            cache.put(2L, new byte[0], java.time.Duration.ofDays(1));
            cache.put(new byte[0], new byte[] {4});
            cache.save(small);
        }
        final byte[] bytes = Files.readAllBytes(small);
        final Path file = dir.resolve("flipped.snap");
        Files.write(file, bytes);
        try (FileChannel channel = FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE))
        {
            for (int bit = 0; bit < bytes.length * 8; bit++)
            {
                final int at = bit / 8;
                channel.write(ByteBuffer.wrap(new byte[] {(byte)(bytes[at] ^ 1 << bit % 8)}), at);
                // the reader alone, without building a cache per bit: the builder path is the other tests'
                final SnapshotException thrown = assertThrows(SnapshotException.class, () -> SnapshotReader.load(file,
                    () -> SnapshotTest.WALL_START, Long.MAX_VALUE,
                        (buffer, ko, kl, vo, vl, ttl, kind, reserved) -> true),
                    "bit " + bit);
                assertTrue(thrown.getMessage().startsWith("cannot load the snapshot " + file + ": "),
                    thrown.getMessage());
                channel.write(ByteBuffer.wrap(new byte[] {bytes[at]}), at);
            }
        }
        assertArrayEquals(bytes, Files.readAllBytes(file));
    }

    @Test
    void randomDamageIsRefusedNeverLoaded() throws IOException
    {
        final Path file = saved("large.snap", 16, 3000);
        final byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length > SnapshotReader.PREFETCH_MIN_BYTES, "read ahead by the prefetch thread");
        final Random random = new Random(1111);
        try (FileChannel channel = FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE))
        {
            for (int round = 0; round < 150; round++)
            {
                final int[] bits = random.ints(1 + random.nextInt(8), 0, bytes.length * 8).toArray();
                final byte[] damaged = bytes.clone();
                for (final int bit : bits)
                {
                    damaged[bit / 8] ^= (byte)(1 << (bit % 8));
                }
                if (Arrays.equals(bytes, damaged))
                {
                    continue; // two flips of one bit
                }
                for (final int bit : bits)
                {
                    channel.write(ByteBuffer.wrap(damaged, bit / 8, 1), bit / 8);
                }
                refusal(file);
                for (final int bit : bits)
                {
                    channel.write(ByteBuffer.wrap(bytes, bit / 8, 1), bit / 8);
                }
            }
        }
        assertArrayEquals(bytes, Files.readAllBytes(file));
    }

    // ---------------------------------------------------------------------------------------------
    // Failing saves
    // ---------------------------------------------------------------------------------------------

    @Test
    void aDiskThatFillsUpFailsTheSaveAndKeepsThePreviousSnapshot() throws IOException
    {
        final Path file = saved("full.snap", 4, 500);
        final byte[] before = Files.readAllBytes(file);
        for (final long room : new long[] {0, 10, 64, 100, 5000, before.length - 1})
        {
            OffHeapCache.snapshotChannelHook = path -> new FailingChannel(FileChannel.open(path,
                java.nio.file.StandardOpenOption.WRITE), room, false);
            try (OffHeapCache cache = filled(4, 800))
            {
                final IOException thrown = assertThrows(IOException.class, () -> cache.save(file));
                assertEquals("could not save the snapshot to " + file.toAbsolutePath() +
                    ": IOException: No space left on device", thrown.getMessage());
            }
            assertArrayEquals(before, Files.readAllBytes(file), "previous snapshot untouched, room=" + room);
            assertEquals(List.of(file), SnapshotTest.filesIn(dir), "no temporary file left");
        }
    }

    @Test
    void aFailingFsyncFailsTheSaveAndKeepsThePreviousSnapshot() throws IOException
    {
        final Path file = saved("fsync.snap", 4, 500);
        final byte[] before = Files.readAllBytes(file);
        OffHeapCache.snapshotChannelHook = path -> new FailingChannel(FileChannel.open(path,
            java.nio.file.StandardOpenOption.WRITE), Long.MAX_VALUE, true);
        try (OffHeapCache cache = filled(4, 800))
        {
            final IOException thrown = assertThrows(IOException.class, () -> cache.save(file));
            assertEquals("could not save the snapshot to " + file.toAbsolutePath() +
                ": IOException: Input/output error",
                thrown.getMessage());
        }
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(file), SnapshotTest.filesIn(dir));
    }

    @Test
    void aRealFileSystemThatIsFullFailsTheSave() throws Exception
    {
        final Path mount = Files.createDirectory(dir.resolve("tmpfs"));
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString()),
            "this process may not mount a tmpfs");
        try
        {
            final Path file = mount.resolve("cache.snap");
            try (OffHeapCache cache = filled(4, 400))
            {
                cache.save(file);
            }
            final byte[] before = Files.readAllBytes(file);
            try (OffHeapCache cache = filled(4, 4000)) // about 500 KiB: twice the file system
            {
                final IOException thrown = assertThrows(IOException.class, () -> cache.save(file));
                assertTrue(thrown.getMessage().startsWith("could not save the snapshot to " + file + ": "),
                    thrown.getMessage());
                assertTrue(thrown.getMessage().contains("No space left on device"), thrown.getMessage());
            }
            assertArrayEquals(before, Files.readAllBytes(file));
            assertEquals(List.of(file), SnapshotTest.filesIn(mount));
        }
        finally
        {
            run("umount", mount.toString());
        }
    }

    @Test
    void permissionDeniedFailsTheSaveWithAClearMessage() throws IOException
    {
        final Path file = dir.resolve("denied.snap");
        OffHeapCache.snapshotChannelHook = path ->
        {
            throw new AccessDeniedException(path.toString());
        };
        try (OffHeapCache cache = filled(2, 10))
        {
            final IOException thrown = assertThrows(IOException.class, () -> cache.save(file));
            assertTrue(thrown.getMessage().startsWith("could not save the snapshot to " + file +
                ": permission denied: " + dir + "/.denied.snap."), thrown.getMessage());
        }
        assertEquals(List.of(), SnapshotTest.filesIn(dir));
    }

    @Test
    void aDirectoryWithoutWritePermissionFailsTheSave() throws IOException
    {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root ignores permissions");
        final Path locked = Files.createDirectory(dir.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        try (OffHeapCache cache = filled(2, 10))
        {
            final IOException thrown = assertThrows(IOException.class, () -> cache.save(locked.resolve("x.snap")));
            assertTrue(thrown.getMessage().startsWith("could not save the snapshot to " + locked.resolve("x.snap") +
                ": permission denied: "), thrown.getMessage());
        }
        finally
        {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aMissingDirectoryFailsTheSave() throws IOException
    {
        final Path file = dir.resolve("missing").resolve("x.snap");
        try (OffHeapCache cache = filled(2, 10))
        {
            final IOException thrown = assertThrows(IOException.class, () -> cache.save(file));
            assertTrue(thrown.getMessage().startsWith("could not save the snapshot to " + file +
                ": no such file or directory: "), thrown.getMessage());
        }
    }

    @Test
    void aClosedCacheRefusesToSaveAndLeavesNothing() throws IOException
    {
        final OffHeapCache cache = filled(2, 10);
        cache.close();
        final IllegalStateException thrown = assertThrows(IllegalStateException.class,
            () -> cache.save(dir.resolve("closed.snap")));
        assertEquals("cache is closed", thrown.getMessage());
        assertEquals(List.of(), SnapshotTest.filesIn(dir));
    }

    // ---------------------------------------------------------------------------------------------

    /** @return the message of the refusal; fails unless the load is refused with a SnapshotException */
    static String refusal(final Path file)
    {
        final UncheckedIOException thrown = assertThrows(UncheckedIOException.class,
            () -> OffHeapCache.builder().capacity(16 << 10).segments(1).hashSeed(1).loadSnapshot(file).build().close(),
            () -> "loaded " + file);
        assertTrue(thrown.getCause() instanceof SnapshotException, thrown.toString());
        return thrown.getMessage();
    }

    /** @return offsets where the file's records begin: the header, each section, the trailer, and the end */
    static List<Integer> sectionBoundaries(final byte[] bytes)
    {
        final ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final List<Integer> boundaries = new ArrayList<>();
        int at = SnapshotDescriptor.HEADER_LENGTH;
        boundaries.add(at);
        final int sections = le.getInt(24);
        for (int i = 0; i < sections; i++)
        {
            boundaries.add(at + SnapshotDescriptor.SECTION_HEADER_LENGTH);
            at += SnapshotDescriptor.SECTION_HEADER_LENGTH + (int)le.getLong(at + 8);
            boundaries.add(at);
        }
        assertEquals(bytes.length, at + SnapshotDescriptor.TRAILER_LENGTH);
        return boundaries;
    }

    private Path saved(final String name, final int segments, final int entries) throws IOException
    {
        final Path file = dir.resolve(name);
        try (OffHeapCache cache = filled(segments, entries))
        {
            cache.put(-1L, new byte[0], java.time.Duration.ofDays(1));
            cache.save(file);
        }
        return file;
    }

    private static OffHeapCache filled(final int segments, final int entries)
    {
        final OffHeapCache cache = OffHeapCache.builder().capacity(segments * (256L << 10)).segments(segments).build();
        for (long key = 0; key < entries; key++)
        {
            cache.put(key, SnapshotTest.valueOf(key * 7));
            cache.put(Long.toString(key).getBytes(), new byte[100]);
        }
        return cache;
    }

    private static boolean run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return process.waitFor(20, TimeUnit.SECONDS) && process.exitValue() == 0;
    }

    /**
     * A file channel that takes {@code room} bytes, then fails as a full disk does; or fails on
     * force; or (for the fuzzer's speed) skips force.
     */
    static final class FailingChannel extends FileChannel
    {
        private final FileChannel channel;
        private final boolean failForce;
        private final boolean skipForce;
        private long room;

        FailingChannel(final FileChannel channel, final long room, final boolean failForce)
        {
            this(channel, room, failForce, false);
        }

        private FailingChannel(final FileChannel channel, final long room, final boolean failForce,
            final boolean skipForce)
        {
            this.channel = channel;
            this.room = room;
            this.failForce = failForce;
            this.skipForce = skipForce;
        }

        /** @return a channel that never forces its writes to the disk: for tests of the format only */
        static FailingChannel unforced(final FileChannel channel)
        {
            return new FailingChannel(channel, Long.MAX_VALUE, false, true);
        }

        @Override
        public int write(final ByteBuffer src) throws IOException
        {
            if (room <= 0)
            {
                throw new IOException("No space left on device");
            }
            final ByteBuffer part = src.duplicate();
            part.limit(part.position() + (int)Math.min(part.remaining(), room));
            final int written = channel.write(part);
            src.position(src.position() + written);
            room -= written;
            return written;
        }

        @Override
        public void force(final boolean metaData) throws IOException
        {
            if (failForce)
            {
                throw new IOException("Input/output error");
            }
            if (!skipForce)
            {
                channel.force(metaData);
            }
        }

        @Override
        public int read(final ByteBuffer dst) throws IOException
        {
            return channel.read(dst);
        }

        @Override
        public long read(final ByteBuffer[] dsts, final int offset, final int length) throws IOException
        {
            return channel.read(dsts, offset, length);
        }

        @Override
        public long write(final ByteBuffer[] srcs, final int offset, final int length) throws IOException
        {
            long written = 0;
            for (int i = offset; i < offset + length; i++)
            {
                written += write(srcs[i]);
            }
            return written;
        }

        @Override
        public long position() throws IOException
        {
            return channel.position();
        }

        @Override
        public FileChannel position(final long newPosition) throws IOException
        {
            channel.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException
        {
            return channel.size();
        }

        @Override
        public FileChannel truncate(final long size) throws IOException
        {
            channel.truncate(size);
            return this;
        }

        @Override
        public long transferTo(final long position, final long count, final WritableByteChannel target)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(final ReadableByteChannel src, final long position, final long count)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            return channel.read(dst, position);
        }

        @Override
        public int write(final ByteBuffer src, final long position)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(final MapMode mode, final long position, final long size)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(final long position, final long size, final boolean shared)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(final long position, final long size, final boolean shared)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel() throws IOException
        {
            channel.close();
        }
    }
}
