package dev.larder.internal;

import static dev.larder.internal.EntryDescriptor.EXPIRY_KEY_LENGTH_OFFSET;
import static dev.larder.internal.EntryDescriptor.FLAGS_MASK;
import static dev.larder.internal.EntryDescriptor.FLAG_DELETED;
import static dev.larder.internal.EntryDescriptor.FLAG_PADDING;
import static dev.larder.internal.EntryDescriptor.HASH_TAG_OFFSET;
import static dev.larder.internal.EntryDescriptor.HEADER_LENGTH;
import static dev.larder.internal.EntryDescriptor.RECORD_WORD_OFFSET;
import static dev.larder.internal.EntryDescriptor.VALUE_LENGTH_OFFSET;

/**
 * Reads and writes the fields of ring records laid out by {@link EntryDescriptor}. The only code
 * that knows header offsets; everything else goes through these methods.
 */
final class Entries
{
    private Entries()
    {
    }

    static int recordWord(final Memory ring, final int position)
    {
        return ring.getInt(position + RECORD_WORD_OFFSET);
    }

    static int recordLength(final int recordWord)
    {
        return recordWord & ~FLAGS_MASK;
    }

    static boolean isDeleted(final int recordWord)
    {
        return (recordWord & FLAG_DELETED) != 0;
    }

    static boolean isPadding(final int recordWord)
    {
        return (recordWord & FLAG_PADDING) != 0;
    }

    /** @return true for a chunk of a large value (see {@link EntryDescriptor}) */
    static boolean isChunk(final int recordWord)
    {
        return (recordWord & EntryDescriptor.FLAG_CHUNK) != 0;
    }

    /** @return true for the head of a large value (see {@link EntryDescriptor}) */
    static boolean isHead(final int recordWord)
    {
        return (recordWord & EntryDescriptor.FLAG_HEAD) != 0;
    }

    /** Sets or clears the head flag of a live record, whose value is being rewritten in place. */
    static void setHead(final Memory ring, final int position, final boolean head)
    {
        final int word = recordWord(ring, position);
        ring.putInt(position + RECORD_WORD_OFFSET,
            head ? word | EntryDescriptor.FLAG_HEAD : word & ~EntryDescriptor.FLAG_HEAD);
    }

    static void markDeleted(final Memory ring, final int position)
    {
        ring.putInt(position + RECORD_WORD_OFFSET, recordWord(ring, position) | FLAG_DELETED);
    }

    static void writePadding(final Memory ring, final int position, final int length)
    {
        ring.putInt(position + RECORD_WORD_OFFSET, length | FLAG_PADDING);
    }

    /**
     * Writes a whole live header.
     *
     * @param kind 0, {@link EntryDescriptor#FLAG_CHUNK} or {@link EntryDescriptor#FLAG_HEAD}
     */
    static void writeHeader(
        final Memory ring,
        final int position,
        final int recordLength,
        final int kind,
        final int tag,
        final long expireAt,
        final int keyLength,
        final int valueLength,
        final int chunkCheck)
    {
        ring.putInt(position + RECORD_WORD_OFFSET, recordLength | kind);
        ring.putInt(position + HASH_TAG_OFFSET, tag);
        ring.putLong(position + EXPIRY_KEY_LENGTH_OFFSET, (expireAt << 16) | keyLength);
        ring.putInt(position + EntryDescriptor.CHUNK_CHECK_OFFSET, chunkCheck);
        ring.putInt(position + VALUE_LENGTH_OFFSET, valueLength);
    }

    /** @return a chunk record's check (see {@link EntryDescriptor#CHUNK_CHECK_OFFSET}) */
    static int chunkCheck(final Memory ring, final int position)
    {
        return ring.getInt(position + EntryDescriptor.CHUNK_CHECK_OFFSET);
    }

    static int tag(final Memory ring, final int position)
    {
        return ring.getInt(position + HASH_TAG_OFFSET);
    }

    /** @return the word holding expire-at and key length; decode with the two methods below. */
    static long expiryKeyLengthWord(final Memory ring, final int position)
    {
        return ring.getLong(position + EXPIRY_KEY_LENGTH_OFFSET);
    }

    static int keyLengthOf(final long expiryKeyLengthWord)
    {
        return (int)(expiryKeyLengthWord & 0xFFFF);
    }

    /** @return expire-at in ms since the cache's epoch, 0 when the entry never expires. */
    static long expireAtOf(final long expiryKeyLengthWord)
    {
        return expiryKeyLengthWord >>> 16;
    }

    static int keyLength(final Memory ring, final int position)
    {
        return keyLengthOf(expiryKeyLengthWord(ring, position));
    }

    /** @return expire-at in ms since the cache's epoch, 0 when the entry never expires. */
    static long expireAt(final Memory ring, final int position)
    {
        return expireAtOf(expiryKeyLengthWord(ring, position));
    }

    static void setExpireAt(final Memory ring, final int position, final long expireAt)
    {
        final int index = position + EXPIRY_KEY_LENGTH_OFFSET;
        ring.putLong(index, (expireAt << 16) | (ring.getLong(index) & 0xFFFF));
    }

    static int valueLength(final Memory ring, final int position)
    {
        return ring.getInt(position + VALUE_LENGTH_OFFSET);
    }

    static void setValueLength(final Memory ring, final int position, final int valueLength)
    {
        ring.putInt(position + VALUE_LENGTH_OFFSET, valueLength);
    }

    static int keyOffset(final int position)
    {
        return position + HEADER_LENGTH;
    }

    static int valueOffset(final int position, final int keyLength)
    {
        return position + HEADER_LENGTH + keyLength;
    }

    /** @return bytes a value may occupy in place in a record. */
    static int valueCapacity(final int recordLength, final int keyLength)
    {
        return recordLength - HEADER_LENGTH - keyLength;
    }
}
