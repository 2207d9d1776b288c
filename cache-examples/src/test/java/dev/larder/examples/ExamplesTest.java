package dev.larder.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every example runs and prints what it promises, so none can rot. */
class ExamplesTest
{
    @FunctionalInterface
    interface Main
    {
        void run(String[] args) throws Exception;
    }

    private static String run(final Main main) throws Exception
    {
        final PrintStream original = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            main.run(new String[0]);
        }
        finally
        {
            System.setOut(original);
        }
        final String output = captured.toString(StandardCharsets.UTF_8);
        original.print(output);
        return output;
    }

    @Test
    void typedCache() throws Exception
    {
        final String output = run(TypedCacheExample::main);
        assertTrue(output.contains("session:7f3a -> user=ada; role=admin"), output);
        assertTrue(output.contains("account 42: Account[id=42, balanceCents=4200]"), output);
        assertTrue(output.contains("raw value length of account 42: 16"), output);
    }

    @Test
    void zeroCopyRead() throws Exception
    {
        final String output = run(ZeroCopyReadExample::main);
        assertTrue(output.contains("version = 7"), output);
        assertTrue(output.contains("absent -> null"), output);
        assertTrue(output.contains("a view used after its callback fails safely"), output);
    }

    @Test
    void nearCache() throws Exception
    {
        final String output = run(NearCacheExample::main);
        assertTrue(output.contains("first get (from the map): green tea"), output);
        assertTrue(output.contains("second get (off-heap, local): green tea"), output);
        assertTrue(output.contains("after another writer's update: black tea"), output);
        assertTrue(output.contains("map holds key 7: oolong"), output);
        assertTrue(output.contains("near cache: 1 hits, 2 misses, 2 map reads;"), output);
    }

    @Test
    void loader() throws Exception
    {
        final String output = run(LoaderExample::main);
        assertTrue(output.contains("32 callers got user-42; the loader ran 1 time(s)"), output);
        assertTrue(output.contains("async load: user-7"), output);
    }

    @Test
    void removalListener() throws Exception
    {
        final String output = run(RemovalListenerExample::main);
        assertTrue(output.contains("EXPLICIT=1"), output);
        assertTrue(output.contains("REPLACED=1"), output);
        assertTrue(output.contains("EVICTED="), output);
        assertTrue(output.contains("CLEARED="), output);
    }

    @Test
    void iteration() throws Exception
    {
        final String output = run(IterationExample::main);
        assertTrue(output.contains("total stock: 55"), output);
    }

    @Test
    void compute() throws Exception
    {
        final String output = run(ComputeExample::main);
        assertTrue(output.contains("page:/home views = 40000"), output);
        assertTrue(output.contains("after reset: null"), output);
    }

    @Test
    void largeValues() throws Exception
    {
        final String output = run(LargeValuesExample::main);
        assertTrue(output.contains("20 MiB stored: true"), output);
        assertTrue(output.contains("read back: 20971520 bytes, equal: true"), output);
        assertTrue(output.contains("reader saw 20971520 bytes"), output);
        assertTrue(output.contains("too large stored: false; rejections: 1; entries: 1"), output);
    }

    @Test
    void demoAtSmallScale() throws Exception
    {
        System.setProperty("demo.entries", "20000");
        System.setProperty("demo.seconds", "1");
        try
        {
            final String output = run(Demo::main);
            assertTrue(output.contains("Larder (off-heap)"), output);
            assertTrue(output.contains("ConcurrentHashMap"), output);
            assertTrue(output.contains("20,000 entries held") || output.contains("entries held"), output);
        }
        finally
        {
            System.clearProperty("demo.entries");
            System.clearProperty("demo.seconds");
        }
    }
}
