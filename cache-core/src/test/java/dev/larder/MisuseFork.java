package dev.larder;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One misuse scenario run in a JVM of its own, with what it printed and how it ended: a crash is
 * a non-zero exit and a hang a fork killed at its timeout, either of which fails the test without
 * taking the test JVM down (Issue8MisuseTest, Issue13AdaptiveMisuseTest).
 */
final class MisuseFork
{
    final boolean timedOut;
    final int exitCode;
    final List<String> stdout;
    private final List<String> command;
    private final String stderr;

    private MisuseFork(
        final List<String> command, final boolean timedOut, final int exitCode, final List<String> stdout,
        final String stderr)
    {
        this.command = command;
        this.timedOut = timedOut;
        this.exitCode = exitCode;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Runs {@code main} with {@code args} in a small JVM (serial GC, C1 only, no core dump), with
     * Agrona's flag when the backend needs it, killing it after {@code timeoutSeconds}.
     */
    static MisuseFork run(
        final Path dir, final MemoryBackend backend, final long timeoutSeconds, final Class<?> main,
        final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (backend == MemoryBackend.AGRONA)
        {
            command.add("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
        }
        command.addAll(List.of(
            "-Xmx64m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:-CreateCoredumpOnCrash",
            "-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"),
            "-cp", classPath(),
            main.getName()));
        command.addAll(List.of(args));
        final Path out = dir.resolve("stdout.txt");
        final Path err = dir.resolve("stderr.txt");
        final Process process = new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
        final boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished)
        {
            process.destroyForcibly();
            process.waitFor();
        }
        return new MisuseFork(command, !finished, process.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    }

    /**
     * @return this JVM's class path and module path, as one class path: the fork runs the scenario
     *     on the class path whichever way surefire runs the tests
     */
    private static String classPath()
    {
        final String classes = System.getProperty("java.class.path");
        final String modules = System.getProperty("jdk.module.path");
        return modules == null || modules.isEmpty() ? classes : classes + File.pathSeparator + modules;
    }

    @Override
    public String toString()
    {
        final String tail = stderr.length() > 4000 ? "..." + stderr.substring(stderr.length() - 4000) : stderr;
        return "exit code " + exitCode + (timedOut ? " (killed)" : "") + "\n--- stdout\n" +
            String.join("\n", stdout) + "\n--- stderr\n" + tail + "\n--- command\n" + String.join(" ", command);
    }
}
