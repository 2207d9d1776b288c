/**
 * Larder: an off-heap, zero-GC cache. The API is {@code dev.larder} (the cache, its builder,
 * statistics and the typed cache), {@code dev.larder.codec} (codecs) and
 * {@code dev.larder.management} (JMX); the engine, {@code dev.larder.internal}, is not exported.
 *
 * <p>Agrona's fast path needs {@code --add-exports java.base/jdk.internal.misc=org.agrona} when
 * Agrona is on the module path ({@code =ALL-UNNAMED} on the class path); without it the cache uses
 * its pure-JDK backend.
 */
// Agrona 2.6 has no module-info, only an Automatic-Module-Name: org.agrona
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.larder
{
    // DirectBuffer and MutableDirectBuffer appear in the API
    requires transitive org.agrona;
    // ObjectName appears in the API (dev.larder.management)
    requires transitive java.management;
    // HotSpotDiagnosticMXBean reads -XX:MaxDirectMemorySize (OffHeapAllocator)
    requires jdk.management;
    // the cleaner that frees direct buffers at once on JDK 17 to 21 (OffHeapAllocator)
    requires jdk.unsupported;

    exports dev.larder;
    exports dev.larder.codec;
    exports dev.larder.management;
}
