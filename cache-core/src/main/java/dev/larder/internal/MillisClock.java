package dev.larder.internal;

/** Milliseconds since a cache's epoch (its creation), never negative, never decreasing. */
@FunctionalInterface
public interface MillisClock
{
    long millis();
}
