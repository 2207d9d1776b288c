package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Fuzzes the snapshot loader with Jazzer (#11). Two kinds of input: raw bytes as a file, which must
 * be refused with a {@link SnapshotException} (or, should they ever form a valid snapshot, load
 * into a consistent cache), never crash or fail otherwise; and a real snapshot of a small cache
 * built from the input, then damaged by it (bytes changed, or cut), which must be refused, or, when
 * the damage undid itself, load exactly the entries saved: never a wrong entry.
 *
 * <p>{@code mvn test} replays the inputs under
 * src/test/resources/dev/larder/SnapshotFuzzTestInputs/loaderRefusesOrLoadsExactly;
 * {@code JAZZER_FUZZ=1} fuzzes for {@code maxDuration} (see docs/verification.md).
 */
class SnapshotFuzzTest
{
    @FuzzTest(maxDuration = "20s")
    void loaderRefusesOrLoadsExactly(final FuzzedDataProvider data) throws IOException
    {
        final Path file = Files.createTempFile("snapshot-fuzz", ".snap");
        // the format is under test, not the disk: no fsync per input
        OffHeapCache.snapshotChannelHook = path -> Issue11SnapshotFaultTest.FailingChannel.unforced(
            java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.WRITE));
        try
        {
            if (data.consumeBoolean())
            {
                Files.write(file, data.consumeRemainingAsBytes());
                try (OffHeapCache cache = load(file))
                {
                    if (cache != null)
                    {
                        cache.verifyInvariants();
                    }
                }
                return;
            }
            final Map<ByteBuffer, byte[]> model = new HashMap<>();
            try (OffHeapCache cache = OffHeapCache.builder().capacity(64 << 10).segments(1 << data.consumeInt(0, 2))
                .hashSeed(7).build())
            {
                final int entries = data.consumeInt(0, 12);
                for (int i = 0; i < entries; i++)
                {
                    final byte[] key = data.consumeBytes(data.consumeInt(0, 16));
                    final byte[] value = data.consumeBytes(data.consumeInt(0, 40));
                    assertTrue(cache.put(key, value));
                    model.put(ByteBuffer.wrap(key), value);
                }
                cache.save(file);
            }
            final byte[] saved = Files.readAllBytes(file);
            byte[] damaged = saved.clone();
            final int changes = data.consumeInt(0, 4);
            for (int i = 0; i < changes; i++)
            {
                final int position = data.consumeInt(0, damaged.length - 1);
                damaged[position] = (byte)(damaged[position] ^ data.consumeByte());
            }
            if (data.consumeBoolean())
            {
                damaged = Arrays.copyOf(damaged, data.consumeInt(0, damaged.length));
            }
            Files.write(file, damaged);
            try (OffHeapCache cache = load(file))
            {
                if (cache == null)
                {
                    assertTrue(!Arrays.equals(saved, damaged), "an intact snapshot was refused");
                    return;
                }
                assertEquals(model.size(), cache.size(), "entries loaded");
                for (final Map.Entry<ByteBuffer, byte[]> entry : model.entrySet())
                {
                    assertArrayEquals(entry.getValue(), cache.get(entry.getKey().array()));
                }
            }
        }
        finally
        {
            OffHeapCache.snapshotChannelHook = dev.larder.internal.SnapshotWriter.FILES;
            Files.deleteIfExists(file);
        }
    }

    /** @return the cache loaded from {@code file}, or null when the load was refused with a SnapshotException */
    private static OffHeapCache load(final Path file)
    {
        try
        {
            return OffHeapCache.builder().capacity(64 << 10).segments(2).hashSeed(9).loadSnapshot(file).build();
        }
        catch (final UncheckedIOException ex)
        {
            if (!(ex.getCause() instanceof SnapshotException))
            {
                throw ex;
            }
            return null;
        }
    }
}
