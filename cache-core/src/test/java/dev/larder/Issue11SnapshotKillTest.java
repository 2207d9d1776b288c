package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A save killed with {@code kill -9} (#11): a forked JVM saves a cache over and over
 * ({@link Issue11KillScenario}); the test kills it at random moments (a fixed seed picks them) and
 * checks that the file then holds one complete snapshot: the last one the child reported saved,
 * or the one after it, never a mix, never a damaged file. A killed save may leave its temporary
 * file ({@code .<name>.<random>.tmp}); a load never reads it.
 */
class Issue11SnapshotKillTest
{
    private static final int ENTRIES = 20_000;

    @TempDir
    Path dir;

    @Test
    void aSaveKilledAtAnyMomentLeavesTheOldOrTheNewSnapshot() throws Exception
    {
        final Path file = dir.resolve("kill.snap");
        final Random random = new Random(911);
        for (int round = 0; round < 4; round++)
        {
            final Path output = dir.getParent().resolve(dir.getFileName() + "-child-" + round + ".txt");
            final Process process = new ProcessBuilder(javaCommand(file)).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
            final long lastSaved;
            try
            {
                waitForFirstSave(process, output, round);
                Thread.sleep(random.nextInt(60));
                process.destroyForcibly(); // SIGKILL
                assertTrue(process.waitFor(20, TimeUnit.SECONDS));
                lastSaved = lastSaved(output);
            }
            finally
            {
                process.destroyForcibly();
                Files.deleteIfExists(output);
            }
            final long generation = loadedGeneration(file);
            assertTrue(generation == lastSaved || generation == lastSaved + 1,
                "round " + round + ": the file holds generation " + generation + ", the child last saved " + lastSaved);
            for (final Path left : SnapshotTest.filesIn(dir))
            {
                assertTrue(left.equals(file) || left.getFileName().toString().matches("\\.kill\\.snap\\.\\d+\\.tmp"),
                    "unexpected file " + left);
            }
        }
    }

    /** @return the generation of every entry in the file, checking they all share it */
    private static long loadedGeneration(final Path file)
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(16 << 20).segments(16).loadSnapshot(file).build())
        {
            assertEquals(ENTRIES, cache.snapshotLoad().loaded());
            final long generation = ByteBuffer.wrap(cache.get(0L)).getLong();
            for (long key = 0; key < ENTRIES; key++)
            {
                final byte[] value = cache.get(key);
                assertNotNull(value, "key " + key);
                final ByteBuffer buffer = ByteBuffer.wrap(value);
                assertEquals(generation, buffer.getLong(), "key " + key + " from another save");
                assertEquals(key, buffer.getLong());
                assertEquals(generation * 1_000_003L ^ key, buffer.getLong());
            }
            return generation;
        }
    }

    /** Waits for the child's first completed save; fails with its output if it ends first. */
    private static void waitForFirstSave(final Process process, final Path output, final int round)
        throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (lastSaved(output) < 0)
        {
            if (!process.isAlive() || System.nanoTime() > deadline)
            {
                throw new AssertionError("round " + round + ": the child saved nothing:\n" + Files.readString(output));
            }
            Thread.sleep(5);
        }
    }

    /** @return the last generation the child reported saved, or -1 */
    private static long lastSaved(final Path output) throws IOException
    {
        long last = -1;
        for (final String line : Files.readAllLines(output, StandardCharsets.UTF_8))
        {
            if (line.startsWith("saved "))
            {
                last = Long.parseLong(line.substring(6));
            }
        }
        return last;
    }

    private static List<String> javaCommand(final Path file)
    {
        final String classes = System.getProperty("java.class.path");
        final String modules = System.getProperty("jdk.module.path");
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-CreateCoredumpOnCrash",
            "-cp", modules == null || modules.isEmpty() ? classes : classes + File.pathSeparator + modules,
            Issue11KillScenario.class.getName(), file.toString(), Integer.toString(ENTRIES));
    }
}
