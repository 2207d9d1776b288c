package dev.larder.jcache.internal;

import java.util.Locale;
import java.util.Properties;
import javax.cache.CacheException;

/**
 * Reads Larder's settings from a cache manager's properties.
 *
 * <h2>Keys</h2>
 * {@code default.<setting>} applies to every cache, {@code cache.<name>.<setting>} to one cache
 * (the name may contain dots). Settings: {@code capacity} (a size: {@code 67108864}, {@code 64MiB},
 * {@code 64MB}, {@code 64m}; units are binary), {@code segments} (a power of two),
 * {@code expectedEntrySize} (bytes), {@code statistics} and {@code management} ({@code true} turns
 * them on). Other keys are left alone, except an unknown setting under {@code default.} or
 * {@code cache.<name>.}, which is refused so that a typo cannot go unnoticed.
 */
public final class Settings
{
    /** Prefix of the settings for every cache. */
    public static final String DEFAULT_PREFIX = "default.";
    /** Prefix of the settings for one cache: {@code cache.<name>.}. */
    public static final String CACHE_PREFIX = "cache.";

    /** Off-heap bytes. */
    public static final String CAPACITY = "capacity";
    /** Segment count. */
    public static final String SEGMENTS = "segments";
    /** Typical encoded key + value bytes. */
    public static final String EXPECTED_ENTRY_SIZE = "expectedEntrySize";
    /** Statistics on at creation. */
    public static final String STATISTICS = "statistics";
    /** Management on at creation. */
    public static final String MANAGEMENT = "management";

    private static final String[] KNOWN = {CAPACITY, SEGMENTS, EXPECTED_ENTRY_SIZE, STATISTICS, MANAGEMENT};

    private final Properties properties;

    /**
     * @param properties the cache manager's properties; every Larder key is checked here
     * @throws CacheException naming the key and the value when one is unknown or malformed
     */
    public Settings(final Properties properties)
    {
        this.properties = properties;
        for (final String key : properties.stringPropertyNames())
        {
            final String setting;
            if (key.startsWith(DEFAULT_PREFIX))
            {
                setting = key.substring(DEFAULT_PREFIX.length());
            }
            else if (key.startsWith(CACHE_PREFIX))
            {
                final int dot = key.lastIndexOf('.');
                if (dot <= CACHE_PREFIX.length())
                {
                    throw new CacheException("a Larder cache property must read cache.<name>.<setting>: key=" + key);
                }
                setting = key.substring(dot + 1);
            }
            else
            {
                continue;
            }
            check(key, setting, properties.getProperty(key));
        }
    }

    private static void check(final String key, final String setting, final String value)
    {
        switch (setting)
        {
            case CAPACITY:
                parseSize(key, value);
                break;
            case SEGMENTS:
            case EXPECTED_ENTRY_SIZE:
                parsePositiveInt(key, value);
                break;
            case STATISTICS:
            case MANAGEMENT:
                parseBoolean(key, value);
                break;
            default:
                throw new CacheException("unknown Larder setting (known: " + String.join(", ", KNOWN) + "): key=" +
                    key);
        }
    }

    /** @return true when the properties name this cache ({@code cache.<name>.<setting>}). */
    public boolean declares(final String cacheName)
    {
        final String prefix = CACHE_PREFIX + cacheName + ".";
        for (final String key : properties.stringPropertyNames())
        {
            if (key.startsWith(prefix) && key.indexOf('.', prefix.length()) < 0)
            {
                return true;
            }
        }
        return false;
    }

    /** @return the capacity in bytes for the cache, or {@code fallback}. */
    public long capacity(final String cacheName, final long fallback)
    {
        final String key = keyOf(cacheName, CAPACITY);
        return key == null ? fallback : parseSize(key, properties.getProperty(key));
    }

    /** @return the segment count for the cache, or {@code fallback}. */
    public int segments(final String cacheName, final int fallback)
    {
        final String key = keyOf(cacheName, SEGMENTS);
        return key == null ? fallback : parsePositiveInt(key, properties.getProperty(key));
    }

    /** @return the expected entry size for the cache, or {@code fallback}. */
    public int expectedEntrySize(final String cacheName, final int fallback)
    {
        final String key = keyOf(cacheName, EXPECTED_ENTRY_SIZE);
        return key == null ? fallback : parsePositiveInt(key, properties.getProperty(key));
    }

    /** @return true when the properties turn statistics on for the cache. */
    public boolean statistics(final String cacheName)
    {
        final String key = keyOf(cacheName, STATISTICS);
        return key != null && parseBoolean(key, properties.getProperty(key));
    }

    /** @return true when the properties turn management on for the cache. */
    public boolean management(final String cacheName)
    {
        final String key = keyOf(cacheName, MANAGEMENT);
        return key != null && parseBoolean(key, properties.getProperty(key));
    }

    /** @return the key that sets {@code setting} for the cache, or null when none does. */
    private String keyOf(final String cacheName, final String setting)
    {
        final String own = CACHE_PREFIX + cacheName + "." + setting;
        if (properties.getProperty(own) != null)
        {
            return own;
        }
        final String common = DEFAULT_PREFIX + setting;
        return properties.getProperty(common) != null ? common : null;
    }

    /**
     * @param key   the property, named in the message
     * @param value a byte count with an optional binary unit: {@code 4096}, {@code 64KiB},
     *              {@code 64MiB}, {@code 2GiB} ({@code KB}/{@code MB}/{@code GB}/{@code TB} and
     *              {@code k}/{@code m}/{@code g}/{@code t} mean the same)
     * @return the bytes
     */
    public static long parseSize(final String key, final String value)
    {
        final String text = value.trim();
        int end = text.length();
        while (end > 0 && !Character.isDigit(text.charAt(end - 1)))
        {
            end--;
        }
        final String unit = text.substring(end).trim().toLowerCase(Locale.ROOT);
        final int shift;
        switch (unit)
        {
            case "":
            case "b":
                shift = 0;
                break;
            case "k":
            case "kb":
            case "kib":
                shift = 10;
                break;
            case "m":
            case "mb":
            case "mib":
                shift = 20;
                break;
            case "g":
            case "gb":
            case "gib":
                shift = 30;
                break;
            case "t":
            case "tb":
            case "tib":
                shift = 40;
                break;
            default:
                throw new CacheException(key + " must be a size such as 64MiB: " + key + "=" + value);
        }
        final long number;
        try
        {
            number = Long.parseLong(text.substring(0, end).trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new CacheException(key + " must be a size such as 64MiB: " + key + "=" + value, ex);
        }
        if (number <= 0 || number > Long.MAX_VALUE >> shift)
        {
            throw new CacheException(key + " must be a positive size: " + key + "=" + value);
        }
        return number << shift;
    }

    private static int parsePositiveInt(final String key, final String value)
    {
        final int number;
        try
        {
            number = Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new CacheException(key + " must be a positive integer: " + key + "=" + value, ex);
        }
        if (number <= 0)
        {
            throw new CacheException(key + " must be a positive integer: " + key + "=" + value);
        }
        return number;
    }

    private static boolean parseBoolean(final String key, final String value)
    {
        final String text = value.trim();
        if ("true".equalsIgnoreCase(text))
        {
            return true;
        }
        if ("false".equalsIgnoreCase(text))
        {
            return false;
        }
        throw new CacheException(key + " must be true or false: " + key + "=" + value);
    }
}
