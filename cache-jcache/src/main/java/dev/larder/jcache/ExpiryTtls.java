package dev.larder.jcache;

import dev.larder.OffHeapCache;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;

/**
 * A cache's JCache {@link ExpiryPolicy}, asked for Larder times to live: the durations for a
 * creation, an update and an access, as milliseconds or one of the markers {@link #TTL_ETERNAL},
 * {@link #TTL_KEEP} and {@link #TTL_EXPIRED}.
 *
 * <h2>Why a class of its own</h2>
 * The policy is user code: each question is guarded (a policy that throws is logged, and the entry
 * gets no expiry or keeps the one it had, as the JCache specification asks), and its answers are
 * capped to {@link OffHeapCache#MAX_TTL}. {@link StripedStore} applies the answers.
 */
final class ExpiryTtls
{
    /** The entry never expires. */
    static final long TTL_ETERNAL = Long.MAX_VALUE;
    /** The entry keeps the time to live it had (a null update or access duration). */
    static final long TTL_KEEP = -1;
    /** The entry expires at once (a zero duration). */
    static final long TTL_EXPIRED = 0;

    private static final long MAX_TTL_MILLIS = OffHeapCache.MAX_TTL.toMillis();
    private static final System.Logger LOGGER = System.getLogger("dev.larder.jcache");

    private final ExpiryPolicy expiry;

    ExpiryTtls(final ExpiryPolicy expiry)
    {
        this.expiry = expiry;
    }

    /** @return the policy, for closing. */
    ExpiryPolicy policy()
    {
        return expiry;
    }

    long creationTtl()
    {
        try
        {
            final Duration duration = expiry.getExpiryForCreation();
            return duration == null ? TTL_ETERNAL : ttlOf(duration);
        }
        catch (final RuntimeException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, "the expiry policy failed; the entry gets no expiry", ex);
            return TTL_ETERNAL;
        }
    }

    long updateTtl()
    {
        try
        {
            final Duration duration = expiry.getExpiryForUpdate();
            return duration == null ? TTL_KEEP : ttlOf(duration);
        }
        catch (final RuntimeException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, "the expiry policy failed; the entry keeps its expiry", ex);
            return TTL_KEEP;
        }
    }

    long accessTtl()
    {
        try
        {
            final Duration duration = expiry.getExpiryForAccess();
            return duration == null ? TTL_KEEP : ttlOf(duration);
        }
        catch (final RuntimeException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, "the expiry policy failed; the entry keeps its expiry", ex);
            return TTL_KEEP;
        }
    }

    /** @return {@link #TTL_ETERNAL}, {@link #TTL_EXPIRED} (zero), or milliseconds from 1 to Larder's maximum. */
    static long ttlOf(final Duration duration)
    {
        if (duration.isEternal())
        {
            return TTL_ETERNAL;
        }
        if (duration.isZero())
        {
            return TTL_EXPIRED;
        }
        final long millis = duration.getTimeUnit().toMillis(duration.getDurationAmount());
        return Math.min(MAX_TTL_MILLIS, Math.max(1, millis));
    }
}
