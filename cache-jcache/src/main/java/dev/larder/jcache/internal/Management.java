package dev.larder.jcache.internal;

import javax.cache.configuration.CompleteConfiguration;
import javax.cache.management.CacheMXBean;

/** The JCache configuration MXBean of one cache: a read-only view of its configuration. */
public final class Management implements CacheMXBean
{
    private final javax.cache.Cache<?, ?> cache;

    /** @param cache the cache whose configuration is shown */
    public Management(final javax.cache.Cache<?, ?> cache)
    {
        this.cache = cache;
    }

    private CompleteConfiguration<?, ?> configuration()
    {
        @SuppressWarnings("unchecked")
        final CompleteConfiguration<?, ?> configuration = cache.getConfiguration(CompleteConfiguration.class);
        return configuration;
    }

    @Override
    public String getKeyType()
    {
        return configuration().getKeyType().getName();
    }

    @Override
    public String getValueType()
    {
        return configuration().getValueType().getName();
    }

    @Override
    public boolean isReadThrough()
    {
        return configuration().isReadThrough();
    }

    @Override
    public boolean isWriteThrough()
    {
        return configuration().isWriteThrough();
    }

    @Override
    public boolean isStoreByValue()
    {
        return configuration().isStoreByValue();
    }

    @Override
    public boolean isStatisticsEnabled()
    {
        return configuration().isStatisticsEnabled();
    }

    @Override
    public boolean isManagementEnabled()
    {
        return configuration().isManagementEnabled();
    }
}
