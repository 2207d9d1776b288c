package dev.larder.consumer;

import dev.larder.Cache;
import dev.larder.MemoryBackend;
import dev.larder.OffHeapCache;
import dev.larder.codec.Codecs;
import org.agrona.DirectBuffer;

import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import java.io.IOException;
import java.lang.module.ModuleReader;
import java.lang.module.ResolvedModule;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a service that depends on Larder by its Maven coordinates does first: builds a byte-level cache, a
 * typed cache and a JCache cache through {@code Caching.getCachingProvider()}, and checks every result. On
 * the module path it also checks the module graph a consumer sees: the module names, the packages
 * {@code dev.larder} exports, and that no exported signature names a type the consumer cannot reach (an
 * internal type leaked into the API). Any wrong result ends the JVM with status 1.
 *
 * <p>Run by {@code consumer/run.sh} as {@code ConsumerCheck classpath} and {@code ConsumerCheck module},
 * with Agrona's fast-path flag for that path, so the Agrona backend is expected in both.
 */
public final class ConsumerCheck
{
    private static final Set<String> API_PACKAGES = Set.of("dev.larder", "dev.larder.codec", "dev.larder.management");
    private static final List<String> FAILURES = new ArrayList<>();
    private static int checks;
    private static int apiTypes;

    private ConsumerCheck()
    {
    }

    /**
     * @param args {@code classpath} or {@code module}: where run.sh put the jars
     * @throws Exception when a check cannot run at all (also a failure: exit status 1)
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length != 1 || !(args[0].equals("classpath") || args[0].equals("module")))
        {
            throw new IllegalArgumentException("usage: ConsumerCheck classpath|module: args=" + Arrays.toString(args));
        }
        final boolean modulePath = args[0].equals("module");

        byteApi();
        typedApi();
        jcache(modulePath);
        if (modulePath)
        {
            moduleGraph();
            noLeakedTypes();
        }
        else
        {
            check(!OffHeapCache.class.getModule().isNamed(), "on the class path Larder is in the unnamed module");
        }

        final String where = (modulePath ? "module" : "class") + " path, JDK " + Runtime.version();
        if (!FAILURES.isEmpty())
        {
            System.err.println("consumer check FAILED on the " + where + ":");
            FAILURES.forEach((failure) -> System.err.println("  " + failure));
            System.exit(1);
        }
        System.out.println("consumer check passed on the " + where + ": " + checks + " checks" +
            (modulePath ? ", " + apiTypes + " API types scanned for leaked types" : ""));
    }

    private static void byteApi()
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).build())
        {
            final byte[] key = "key".getBytes(StandardCharsets.UTF_8);
            check(cache.put(key, "value".getBytes(StandardCharsets.UTF_8)), "byte API: put stores");
            check("value".equals(utf8(cache.get(key))), "byte API: get returns what put stored");
            check(cache.put(42L, new byte[] {1, 2, 3}), "byte API: put with a long key stores");
            // a ValueReader sees an Agrona DirectBuffer: dev.larder must export Agrona to its readers
            final Integer sum = cache.read(42L, (final DirectBuffer value) -> value.getByte(0) + value.getByte(1) +
                value.getByte(2));
            check(Integer.valueOf(6).equals(sum), "byte API: read sees the stored bytes in place, sum=" + sum);
            check(cache.remove(key) && cache.get(key) == null, "byte API: remove removes");
            check(cache.memoryBackend() == MemoryBackend.AGRONA,
                "byte API: Agrona's fast path is chosen when its flag is given: memoryBackend=" +
                cache.memoryBackend());
        }
    }

    private static void typedApi()
    {
        try (Cache<String, Long> counters = OffHeapCache.builder().capacity(1 << 20).build(Codecs.utf8(),
            Codecs.longs()))
        {
            check(counters.put("hits", 41L), "typed API: put stores");
            final Long next = counters.compute("hits", (final String key, final Long old) -> old + 1);
            check(Long.valueOf(42L).equals(next), "typed API: compute returns the new value, value=" + next);
            check(Long.valueOf(42L).equals(counters.get("hits")), "typed API: get returns the computed value");
            check(counters.get("misses") == null, "typed API: get of an absent key returns null");
        }
    }

    private static void jcache(final boolean modulePath)
    {
        final CachingProvider provider = Caching.getCachingProvider();
        check(provider.getClass().getName().equals("dev.larder.jcache.LarderCachingProvider"),
            "JCache: the provider found is Larder's: " + provider.getClass().getName());
        if (modulePath)
        {
            check("dev.larder.jcache".equals(provider.getClass().getModule().getName()),
                "JCache: the provider is in the module dev.larder.jcache: " + provider.getClass().getModule());
        }
        try (javax.cache.CacheManager manager = provider.getCacheManager())
        {
            final javax.cache.Cache<String, String> cache = manager.createCache(
                "consumer", new MutableConfiguration<String, String>().setTypes(String.class, String.class));
            cache.put("greeting", "hello");
            check("hello".equals(cache.get("greeting")), "JCache: get returns what put stored");
            check(!cache.putIfAbsent("greeting", "other"), "JCache: putIfAbsent keeps a present entry");
            check(!cache.containsKey("absent"), "JCache: containsKey of an absent key is false");
        }
        finally
        {
            provider.close();
        }
    }

    private static void moduleGraph()
    {
        final Module larder = OffHeapCache.class.getModule();
        check("dev.larder".equals(larder.getName()), "module: Larder is the module dev.larder: " + larder);
        check("dev.larder.consumer".equals(ConsumerCheck.class.getModule().getName()),
            "module: this check runs as the module dev.larder.consumer");
        final Set<String> exported = larder.getDescriptor().exports().stream()
            .map((export) -> export.source()).collect(Collectors.toCollection(TreeSet::new));
        check(exported.equals(new TreeSet<>(API_PACKAGES)), "module: dev.larder exports the API packages only: " +
            exported);
        check(larder.getPackages().contains("dev.larder.internal") && !larder.isExported("dev.larder.internal"),
            "module: dev.larder.internal is in the module and not exported");
        check(larder.getDescriptor().requires().stream().anyMatch((r) -> r.name().equals("org.agrona")),
            "module: dev.larder requires org.agrona");
    }

    /**
     * Every public type of the exported packages, and every public or protected member of it, may name only
     * types a reader of {@code dev.larder} can reach: exported by their own module. A leaked internal type
     * compiles in Larder's build yet cannot be named by a consumer; this lists each one.
     */
    private static void noLeakedTypes() throws IOException, ClassNotFoundException
    {
        final Module larder = OffHeapCache.class.getModule();
        final ResolvedModule resolved = larder.getLayer().configuration().findModule("dev.larder").orElseThrow();
        final List<String> classNames;
        try (ModuleReader reader = resolved.reference().open())
        {
            classNames = reader.list()
                .filter((name) -> name.endsWith(".class") && !name.equals("module-info.class"))
                .map((name) -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
                .collect(Collectors.toList());
        }
        int checkedTypes = 0;
        for (final String className : classNames)
        {
            final Class<?> type = Class.forName(className, false, OffHeapCache.class.getClassLoader());
            if (!API_PACKAGES.contains(type.getPackageName()) || !isVisible(type))
            {
                continue;
            }
            checkedTypes++;
            bounds(type.getTypeParameters(), type.getName());
            reachable(type.getGenericSuperclass(), type.getName() + " extends");
            for (final Type implemented : type.getGenericInterfaces())
            {
                reachable(implemented, type.getName() + " implements");
            }
            for (final Field field : type.getDeclaredFields())
            {
                if (isVisible(field.getModifiers()))
                {
                    reachable(field.getGenericType(), type.getName() + "." + field.getName());
                }
            }
            for (final Method method : type.getDeclaredMethods())
            {
                if (isVisible(method.getModifiers()) && !method.isSynthetic())
                {
                    reachable(method.getGenericReturnType(), type.getName() + "." + method.getName() + " returns");
                    signature(type, method);
                }
            }
            for (final Constructor<?> constructor : type.getDeclaredConstructors())
            {
                if (isVisible(constructor.getModifiers()) && !constructor.isSynthetic())
                {
                    signature(type, constructor);
                }
            }
        }
        apiTypes = checkedTypes;
        check(checkedTypes >= 10, "module: the API types were found and checked: " + checkedTypes);
    }

    private static void signature(final Class<?> type, final Executable executable)
    {
        final String where = type.getName() + "." + executable.getName();
        bounds(executable.getTypeParameters(), where);
        for (final Type parameter : executable.getGenericParameterTypes())
        {
            reachable(parameter, where + " takes");
        }
        for (final Type thrown : executable.getGenericExceptionTypes())
        {
            reachable(thrown, where + " throws");
        }
    }

    private static void bounds(final TypeVariable<?>[] variables, final String where)
    {
        for (final TypeVariable<?> variable : variables)
        {
            for (final Type bound : variable.getBounds())
            {
                reachable(bound, where + " <" + variable.getName() + " extends>");
            }
        }
    }

    private static void reachable(final Type type, final String where)
    {
        if (type == null)
        {
            return;
        }
        if (type instanceof Class<?> raw)
        {
            Class<?> element = raw;
            while (element.isArray())
            {
                element = element.getComponentType();
            }
            if (!element.isPrimitive() && !element.getModule().isExported(element.getPackageName()))
            {
                check(false, "leaked type: " + where + " " + element.getName() + ", which " +
                    element.getModule() + " does not export");
            }
        }
        else if (type instanceof ParameterizedType parameterized)
        {
            reachable(parameterized.getRawType(), where);
            for (final Type argument : parameterized.getActualTypeArguments())
            {
                reachable(argument, where);
            }
        }
        else if (type instanceof WildcardType wildcard)
        {
            Arrays.stream(wildcard.getUpperBounds()).forEach((bound) -> reachable(bound, where));
            Arrays.stream(wildcard.getLowerBounds()).forEach((bound) -> reachable(bound, where));
        }
        else if (type instanceof GenericArrayType array)
        {
            reachable(array.getGenericComponentType(), where);
        }
        // a TypeVariable is declared by the class or method itself: bounds() checks its bounds there
    }

    private static boolean isVisible(final Class<?> type)
    {
        for (Class<?> c = type; c != null; c = c.getDeclaringClass())
        {
            if (!Modifier.isPublic(c.getModifiers()) && !Modifier.isProtected(c.getModifiers()))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isVisible(final int modifiers)
    {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static String utf8(final byte[] bytes)
    {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static void check(final boolean ok, final String what)
    {
        checks++;
        if (!ok)
        {
            FAILURES.add(what);
        }
    }
}
