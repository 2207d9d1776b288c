package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Memory is reached only through Agrona buffers and JDK ByteBuffers/VarHandles. The one exception
 * is OffHeapAllocator, which frees direct buffers through sun.misc.Unsafe.invokeCleaner on JDK 17-21.
 */
class NoUnsafeTest
{
    @Test
    void onlyTheAllocatorNamesUnsafe() throws IOException
    {
        final Path sources = Paths.get("src/main/java");
        assertTrue(Files.isDirectory(sources), "run from the module directory");
        final List<String> offenders;
        try (Stream<Path> files = Files.walk(sources))
        {
            offenders = files.filter(file -> file.toString().endsWith(".java"))
                .filter(file -> !file.getFileName().toString().equals("OffHeapAllocator.java"))
                .filter(NoUnsafeTest::mentionsUnsafe)
                .map(Path::toString)
                .collect(Collectors.toList());
        }
        assertEquals(List.of(), offenders);
    }

    private static boolean mentionsUnsafe(final Path file)
    {
        try
        {
            final String text = Files.readString(file);
            return text.contains("sun.misc.Unsafe") || text.contains("jdk.internal.misc.Unsafe\"") ||
                text.contains("import jdk.internal");
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
