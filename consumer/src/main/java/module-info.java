/**
 * The consumer check as a named module: Larder's engine module and the JCache provider, by the names
 * a service on the module path would write.
 */
// dev.larder.jcache is an automatic module (Automatic-Module-Name), and the JSR-107 API jar has no
// module name at all: its name, cache.api, comes from the jar's file name.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.larder.consumer
{
    requires dev.larder;
    requires dev.larder.jcache;
    requires cache.api;
}
