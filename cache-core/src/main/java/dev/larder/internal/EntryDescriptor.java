package dev.larder.internal;

/**
 * Layout of one record in a segment's ring buffer. Records start on 8-byte boundaries and never
 * wrap around the end of the ring: when a record does not fit before the end, a padding record
 * fills the gap and the record is written at offset 0.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-------------------------------------------------------+-+-+-+
 *  |0|H|      record length (multiple of 8, header included)     |C|P|D|  0
 *  +-+-+-------------------------------------------------------+-+-+-+
 *  |                   hash tag (high 32 bits of the key hash)          |  4
 *  +--------------------------------------------------------------------+
 *  |                                                                    |  8
 *  +    expire-at: ms since the cache's epoch, 0 = never (high 48 bits)  +
 *  |                                      |      key length (16 bits)   | 12
 *  +--------------------------------------------------------------------+
 *  |         chunk check (chunk records), 0 otherwise                   | 16
 *  +--------------------------------------------------------------------+
 *  |                         value length                               | 20
 *  +--------------------------------------------------------------------+
 *  |                      key bytes ...  value bytes ...  slack         | 24
 *  +--------------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>D (bit 0 of the record word): deleted; the space waits for the ring head to reclaim it.</li>
 *   <li>P (bit 1): padding; only the record word is meaningful. Padding can be as short as 8
 *       bytes, which is why the record word comes first.</li>
 *   <li>C (bit 2): a chunk of a large value: an internal record under a derived 8-byte key (the
 *       chunk id), never matched by a user's key, never reported to a listener, never counted
 *       as an entry. Its value is one slice of the large value's bytes.</li>
 *   <li>H (bit 30): the head of a large value: the user's key, and as value a
 *       {@link LargeValueDescriptor} naming the chunks. Records are at most a quarter of a ring of
 *       at most 2^31 bytes, so lengths never reach bit 29 and bits 29 to 31 are free; bit 30 is
 *       used. Both kinds live in the record word so that a record copied verbatim keeps its kind.</li>
 *   <li>The 64-bit word at 8 holds {@code expireAt << 16 | keyLength}.</li>
 *   <li>Value capacity = record length - header - key length; a new value that fits it is
 *       written in place.</li>
 * </ul>
 *
 * Overhead per entry: this 24-byte header plus one 8-byte index slot ({@link IndexDescriptor}) =
 * 32 bytes, plus up to 7 bytes of alignment.
 */
public final class EntryDescriptor
{
    /** Records start at multiples of this. */
    public static final int ALIGNMENT = 8;

    static final int RECORD_WORD_OFFSET;
    static final int HASH_TAG_OFFSET;
    static final int EXPIRY_KEY_LENGTH_OFFSET;
    /**
     * A chunk's check: the check of its large value's head ({@link LargeValueDescriptor}), part of
     * the chunk's identity with its id; 0 in other records. (Access metadata lives in the index
     * slot: {@link IndexDescriptor}.)
     */
    static final int CHUNK_CHECK_OFFSET;
    static final int VALUE_LENGTH_OFFSET;
    /** Length of the header; key bytes start here. */
    static final int HEADER_LENGTH;

    /** Record word flag: the record is deleted. */
    static final int FLAG_DELETED = 1;
    /** Record word flag: the record is padding up to the end of the ring. */
    static final int FLAG_PADDING = 2;
    /** Record word flag: the record is a chunk of a large value (an internal record). */
    static final int FLAG_CHUNK = 4;
    /** Record word flag: the record is the head of a large value. */
    static final int FLAG_HEAD = 1 << 30;
    /** Mask of the flag bits in the record word: the low three bits and {@link #FLAG_HEAD}. */
    static final int FLAGS_MASK = ALIGNMENT - 1 | FLAG_HEAD;

    /** Largest key length (the key length field has 16 bits). */
    static final int MAX_KEY_LENGTH = 0xFFFF;
    /** Bits of the expiry field. */
    static final int EXPIRY_BITS = 48;
    /** Largest expire-at value in milliseconds since the cache's epoch. */
    static final long MAX_EXPIRE_AT = (1L << EXPIRY_BITS) - 1;

    static
    {
        int offset = 0;
        RECORD_WORD_OFFSET = offset;
        offset += Integer.BYTES;
        HASH_TAG_OFFSET = offset;
        offset += Integer.BYTES;
        EXPIRY_KEY_LENGTH_OFFSET = offset;
        offset += Long.BYTES;
        CHUNK_CHECK_OFFSET = offset;
        offset += Integer.BYTES;
        VALUE_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        HEADER_LENGTH = offset;
    }

    private EntryDescriptor()
    {
    }

    /**
     * @param keyLength   key bytes
     * @param valueLength value bytes
     * @return the record length, aligned, for a key and value; a long so that it cannot overflow
     */
    public static long recordLength(final int keyLength, final int valueLength)
    {
        return align((long)HEADER_LENGTH + keyLength + valueLength);
    }

    /** @return {@code length} rounded up to {@link #ALIGNMENT}. */
    static long align(final long length)
    {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }
}
