package dev.larder.examples.spring;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The slow source the cache stands in front of (a database or a remote service in a real one): each
 * lookup takes {@code larder.example.lookup-delay} (200 ms unless set) and is counted.
 */
@Component
public class SlowProductLookup
{
    private final AtomicLong lookups = new AtomicLong();
    private final Duration delay;

    public SlowProductLookup(@Value("${larder.example.lookup-delay:200ms}") final Duration delay)
    {
        this.delay = delay;
    }

    /** @return the product, after the delay. */
    public Product lookUp(final long id)
    {
        lookups.incrementAndGet();
        try
        {
            Thread.sleep(delay.toMillis());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while looking up product " + id, ex);
        }
        return new Product(id, "product-" + id, 100 * id);
    }

    /** @return how many lookups have run. */
    public long lookups()
    {
        return lookups.get();
    }
}
