package dev.larder.examples.spring;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/**
 * The cached service: the first call for an id runs the slow lookup and stores the product in the
 * Larder cache {@code products}; later calls are answered from the cache.
 */
@Service
public class ProductCatalog
{
    private final SlowProductLookup lookup;

    public ProductCatalog(final SlowProductLookup lookup)
    {
        this.lookup = lookup;
    }

    /** @return the product with this id, from the cache when it is there. */
    @Cacheable("products")
    public Product product(final long id)
    {
        return lookup.lookUp(id);
    }
}
