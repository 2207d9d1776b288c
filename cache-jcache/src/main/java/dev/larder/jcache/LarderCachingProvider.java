package dev.larder.jcache;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;

/**
 * The JCache provider of Larder, found by {@code Caching.getCachingProvider()} through
 * {@code META-INF/services/javax.cache.spi.CachingProvider}.
 *
 * <pre>{@code
 * CachingProvider provider = Caching.getCachingProvider();   // this class, when it is the only provider
 * CacheManager manager = provider.getCacheManager(
 *     URI.create("classpath:larder.properties"), provider.getDefaultClassLoader());
 * Cache<String, String> cache = manager.createCache("sessions",
 *     new MutableConfiguration<String, String>().setTypes(String.class, String.class));
 * }</pre>
 *
 * <h2>URIs and properties</h2>
 * One cache manager per URI and class loader. A URI of the form {@code classpath:path/file}, or a
 * {@code file:} or {@code jar:} URI that ends in {@code .properties}, names a properties file of
 * Larder settings (see {@link LarderCacheManager}); the file must exist. Properties given to
 * {@code getCacheManager} are laid over the file's. Any other URI is a name only.
 *
 * <h2>Optional features</h2>
 * Store-by-reference is not supported: a Larder cache holds bytes off the heap.
 *
 * <h2>Threads</h2>
 * Asynchronous listeners and {@code loadAll} run on a pool of daemon threads named
 * {@code larder-jcache-N}, shared by all caches of this provider; idle threads end after a minute.
 */
public final class LarderCachingProvider implements CachingProvider
{
    private static final URI DEFAULT_URI = URI.create("larder:default");

    private final Map<ClassLoader, Map<URI, LarderCacheManager>> managers = new WeakHashMap<>();
    private final ExecutorService executor;

    /** Called by the service loader. */
    public LarderCachingProvider()
    {
        final AtomicInteger count = new AtomicInteger();
        final ThreadFactory threads = runnable -> {
            final Thread thread = new Thread(runnable, "larder-jcache-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        final ThreadPoolExecutor pool = new ThreadPoolExecutor(
            8, 8, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads);
        pool.allowCoreThreadTimeOut(true);
        this.executor = pool;
    }

    @Override
    public ClassLoader getDefaultClassLoader()
    {
        final ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : LarderCachingProvider.class.getClassLoader();
    }

    @Override
    public URI getDefaultURI()
    {
        return DEFAULT_URI;
    }

    @Override
    public Properties getDefaultProperties()
    {
        return new Properties();
    }

    @Override
    public CacheManager getCacheManager()
    {
        return getCacheManager(getDefaultURI(), getDefaultClassLoader(), null);
    }

    @Override
    public CacheManager getCacheManager(final URI uri, final ClassLoader classLoader)
    {
        return getCacheManager(uri, classLoader, null);
    }

    /**
     * @throws CacheException when the URI names a properties file that cannot be read, or a Larder
     *                        property is unknown or malformed
     */
    @Override
    public CacheManager getCacheManager(final URI uri, final ClassLoader classLoader, final Properties properties)
    {
        final URI managerUri = uri == null ? getDefaultURI() : uri;
        final ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
        synchronized (managers)
        {
            final Map<URI, LarderCacheManager> byUri = managers.computeIfAbsent(loader, any -> new HashMap<>());
            final LarderCacheManager existing = byUri.get(managerUri);
            if (existing != null && !existing.isClosed())
            {
                return existing;
            }
            final Properties merged = new Properties();
            merged.putAll(propertiesOf(managerUri, loader));
            if (properties != null)
            {
                merged.putAll(properties);
            }
            final LarderCacheManager manager = new LarderCacheManager(this, managerUri, loader, merged, executor);
            byUri.put(managerUri, manager);
            return manager;
        }
    }

    /** @return the properties in the file the URI names, or none when it names no file. */
    static Properties propertiesOf(final URI uri, final ClassLoader classLoader)
    {
        final URL url;
        if ("classpath".equals(uri.getScheme()))
        {
            String path = uri.getSchemeSpecificPart();
            while (path.startsWith("/"))
            {
                path = path.substring(1);
            }
            url = classLoader.getResource(path);
            if (url == null)
            {
                throw new CacheException(
                    "the properties file named by the cache manager URI is not on the class path: " +
                    "uri=" + uri);
            }
        }
        else if (("file".equals(uri.getScheme()) || "jar".equals(uri.getScheme())) &&
            uri.toString().endsWith(".properties"))
        {
            try
            {
                url = uri.toURL();
            }
            catch (final IOException | IllegalArgumentException ex)
            {
                throw new CacheException("the cache manager URI names no readable properties file: uri=" + uri, ex);
            }
        }
        else
        {
            return new Properties();
        }
        final Properties properties = new Properties();
        try (InputStream in = url.openStream())
        {
            properties.load(in);
        }
        catch (final IOException ex)
        {
            throw new CacheException("cannot read the properties file named by the cache manager URI: uri=" + uri +
                ": " + ex, ex);
        }
        return properties;
    }

    @Override
    public void close()
    {
        for (final LarderCacheManager manager : all(null))
        {
            manager.close();
        }
    }

    @Override
    public void close(final ClassLoader classLoader)
    {
        final ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
        for (final LarderCacheManager manager : all(loader))
        {
            manager.close();
        }
    }

    @Override
    public void close(final URI uri, final ClassLoader classLoader)
    {
        final URI managerUri = uri == null ? getDefaultURI() : uri;
        final ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
        final LarderCacheManager manager;
        synchronized (managers)
        {
            final Map<URI, LarderCacheManager> byUri = managers.get(loader);
            manager = byUri == null ? null : byUri.get(managerUri);
        }
        if (manager != null)
        {
            manager.close();
        }
    }

    private List<LarderCacheManager> all(final ClassLoader loader)
    {
        final List<LarderCacheManager> found = new ArrayList<>();
        synchronized (managers)
        {
            for (final Map.Entry<ClassLoader, Map<URI, LarderCacheManager>> entry : managers.entrySet())
            {
                if (loader == null || entry.getKey() == loader)
                {
                    found.addAll(entry.getValue().values());
                }
            }
        }
        return found;
    }

    /** Called by a closing manager. */
    void forget(final LarderCacheManager manager)
    {
        synchronized (managers)
        {
            final ClassLoader loader = manager.getClassLoader();
            final Map<URI, LarderCacheManager> byUri = loader == null ? null : managers.get(loader);
            if (byUri != null && byUri.get(manager.getURI()) == manager)
            {
                byUri.remove(manager.getURI());
                if (byUri.isEmpty())
                {
                    managers.remove(loader);
                }
            }
        }
    }

    @Override
    public boolean isSupported(final OptionalFeature optionalFeature)
    {
        return false; // STORE_BY_REFERENCE, the only optional feature, is not supported
    }

    @Override
    public String toString()
    {
        return "LarderCachingProvider";
    }
}
