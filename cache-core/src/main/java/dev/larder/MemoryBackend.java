package dev.larder;

/**
 * How the cache reaches its off-heap memory. Both backends hold the same data in the same layout;
 * they differ in speed and in what the JVM must allow.
 */
public enum MemoryBackend
{
    /**
     * Agrona when the JVM allows it, the pure-JDK backend otherwise. The default.
     */
    AUTO,

    /**
     * Agrona's {@code UnsafeBuffer}: the fast path. Agrona 2.x needs the JVM flag
     * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} ({@code =org.agrona} when Agrona
     * is on the module path); forcing this backend without it fails at {@code build()}.
     */
    AGRONA,

    /**
     * Absolute access on direct {@code ByteBuffer}s and {@code VarHandle}s: no JVM flag, no warning,
     * on every JDK from 17.
     */
    JDK
}
