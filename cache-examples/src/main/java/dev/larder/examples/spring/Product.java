package dev.larder.examples.spring;

import java.io.Serializable;

/**
 * What the service serves, and what the cache holds: Larder's JCache provider stores a value of a
 * type it has no built-in codec for by Java serialization, hence {@link Serializable}.
 *
 * @param id         the product's id
 * @param name       its name
 * @param priceCents its price in cents
 */
public record Product(long id, String name, long priceCents) implements Serializable
{
}
