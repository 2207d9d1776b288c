package dev.larder.examples;

import dev.larder.Cache;
import dev.larder.OffHeapCache;
import dev.larder.codec.Codec;
import dev.larder.codec.Codecs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Typed caches: built-in codecs, and a codec of your own that writes straight into off-heap memory.
 */
public final class TypedCacheExample
{
    /** A user type with a fixed-size binary layout: 8-byte id, 8-byte balance in cents. */
    record Account(long id, long balanceCents)
    {
    }

    /** Writes an Account as 16 bytes; no intermediate array. */
    static final class AccountCodec implements Codec<Account>
    {
        @Override
        public int encodedLength(final Account value)
        {
            return 16;
        }

        @Override
        public void encode(final Account value, final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putLong(offset, value.id());
            buffer.putLong(offset + 8, value.balanceCents());
        }

        @Override
        public Account decode(final DirectBuffer buffer, final int offset, final int length)
        {
            return new Account(buffer.getLong(offset), buffer.getLong(offset + 8));
        }
    }

    private TypedCacheExample()
    {
    }

    public static void main(final String[] args)
    {
        try (Cache<String, String> sessions = OffHeapCache.builder()
            .capacity(64L << 20)
            .defaultTtl(Duration.ofMinutes(30))
            .build(Codecs.utf8(), Codecs.utf8()))
        {
            sessions.put("session:7f3a", "user=ada; role=admin");
            sessions.put("session:91bc", "user=grace; role=dev", Duration.ofMinutes(5));
            System.out.println("session:7f3a -> " + sessions.get("session:7f3a"));
            System.out.println("ttl of session:91bc: " + sessions.ttl("session:91bc"));
            final Map<String, String> found = sessions.getAll(List.of("session:7f3a", "session:none"));
            System.out.println("getAll found " + found.keySet());
        }

        try (Cache<Long, Account> accounts = OffHeapCache.builder()
            .capacity(64L << 20)
            .build(Codecs.longs(), new AccountCodec()))
        {
            for (long id = 1; id <= 1000; id++)
            {
                accounts.put(id, new Account(id, id * 100));
            }
            System.out.println("account 42: " + accounts.get(42L));
            System.out.println("entries: " + accounts.stats().entryCount() + ", off-heap bytes used: " +
                accounts.stats().usedBytes());
            // the byte-level cache underneath: a Long key is its 8 big-endian bytes
            System.out.println("raw value length of account 42: " + accounts.bytes().get(42L).length);
        }
    }
}
