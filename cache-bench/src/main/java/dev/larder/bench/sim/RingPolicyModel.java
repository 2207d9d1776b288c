package dev.larder.bench.sim;

import dev.larder.HashFunction;
import dev.larder.internal.KeyHasher;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A model of Larder's ring engine with the frequency-aware policy of docs/policy.md, reported as
 * {@code larder-next} by the simulator. It uses only mechanisms the off-heap engine can run with
 * O(1) work per operation and no per-entry heap objects; docs/policy.md maps each one to the
 * engine (slot bits, off-heap arrays, bytes per entry). The maps and arrays here stand for the
 * engine's index and rings; they hold ids and hashes, never entry objects the engine would need.
 *
 * <h2>Structure, per segment</h2>
 * <ul>
 *   <li>Three FIFO rings of records: the <b>window</b>, where every new entry is appended, and the
 *       main region split into <b>probation</b> and <b>protected</b> (at most
 *       {@link RingPolicyConfig#protectedShare} of the main region). A "move" copies a record from the
 *       head of one ring to the tail of another (or the same) ring, as today's second chance
 *       does.</li>
 *   <li>Per entry, in the index slot: the referenced bit R and the 4-bit epoch of its last read
 *       (today's bits), and which ring the record lies in (implied by its offset in the engine).</li>
 *   <li>A {@link FrequencySketch} (count-min, 4-bit counters, halved every
 *       {@link RingPolicyConfig#sketchSampleFactor} × capacity counted events) indexed by the keyed 64-bit
 *       hash. A miss counts; a hit counts when it changes the slot's mark (R was clear, or its
 *       epoch is older), which is exactly when the engine's lock-free reader writes the slot.</li>
 * </ul>
 *
 * <h2>Making room (what {@code EvictionPolicy.evictHead} becomes)</h2>
 * While a segment holds more than its capacity:
 * <ol>
 *   <li>If the window is over its target: its head, if read since it was appended or last moved
 *       (R), gets a second chance at the window's tail (the window is a CLOCK; in a window of at
 *       least 3/4 of the capacity the read must also be recent, {@link #windowKeepAge}). Otherwise it is
 *       the <i>candidate</i>. If the main region is under its share the candidate moves to the
 *       probation tail. Otherwise the probation ring's victim is found (below) and the sketch
 *       decides: the candidate is admitted (victim evicted, candidate moved to the probation
 *       tail) when its frequency is higher than the victim's, or, when its frequency is at least
 *       {@link RingPolicyConfig#hashDosThreshold}, with probability 1/128 (Caffeine's guard against an
 *       attacker who keeps a victim's count high); otherwise the candidate is evicted, which is
 *       an <i>admission rejection</i>, counted apart.</li>
 *   <li>Otherwise the main region is over its share: the probation victim is evicted.</li>
 * </ol>
 * Finding the probation victim: a probation head with R set is promoted to the protected tail
 * (R cleared); while the protected ring is over its share, its head goes round again if read
 * within {@link RingPolicyConfig#mainKeepAge} epochs (R set), else is demoted to the probation tail. The
 * first probation head without R is the victim. Every promotion or second chance consumes an R
 * bit that a read set, so the moves are bounded and paid for by reads, amortised. While the main
 * region is over its share (the window's share grew), a probation head with R set moves to the
 * window's tail instead, R kept: the growing window takes in what is still read in main.
 *
 * <h2>Adaptivity: shadow caches</h2>
 * The window's share of the capacity is chosen among {@link RingPolicyConfig#shadowFractions} by
 * <i>shadows</i>: for each fraction, a copy of this policy's bookkeeping (hashes only, no
 * values) at that fixed fraction, fed the accesses of a hash-sampled subset of keys (at most
 * {@link RingPolicyConfig#shadowMaxEntries} entries per shadow; all keys for a cache that small).
 * {@link RingPolicyConfig#shadowDecisions} times per shadow capacity of sampled accesses, their hit counts
 * (decayed with a half-life of {@link RingPolicyConfig#shadowHalfLife} shadow capacities) are compared, and
 * the cache takes the best
 * shadow's fraction when it leads the current one by more than {@link RingPolicyConfig#shadowConfidence}
 * standard deviations (Poisson) at two decisions in a row (four, a whole shadow capacity, for
 * the first three shadow capacities of sampled accesses after a shadow first had to make room:
 * young scores hold little history; there the shadow that first led need only keep a clear lead,
 * and the cache takes the best). Since every shadow sees the same accesses at the same time,
 * a phase change cannot be mistaken for the effect of a resize, which is what makes a
 * sequential hill climber jump about. The hill climber (Caffeine's rule) remains as
 * {@link RingPolicyConfig.Adaptation#HILL_CLIMBING} for comparison.
 */
public final class RingPolicyModel implements Policy
{
    private static final int EPOCHS = 16;
    private static final int EPOCHS_PER_TURNOVER = 8;
    /**
     * Shadow capacities of sampled accesses, after a shadow first makes room, during which a lead
     * needs {@link #YOUNG_CONFIRMATIONS}.
     */
    private static final int YOUNG_CAPACITIES = 3;
    /** Decisions in a row a lead needs while the shadows are young (else two). */
    private static final int YOUNG_CONFIRMATIONS = 4;
    /**
     * The top 24 bits of the hash times an odd constant select the sampled keys (a remix, so that
     * the sample does not favour the segments, which use hash bits 58-63, or sketch blocks).
     */
    private static final int SAMPLE_BITS = 24;
    private static final long SAMPLE_MIX = 0x9E37_79B9_7F4A_7C15L;

    private final String name;
    private final RingPolicyConfig config;
    private final int capacity;
    /** The engine's keyed hash: SipHash-1-3 under a key derived from the seed. */
    private final KeyHasher hasher;
    private final SplittableRandom random;
    private final Segment[] segments;

    /** Shadows: the policy at fixed window shares, on the sampled keys. */
    private final Segment[] shadows;
    private final double[] shadowScores;
    private final long sampleThreshold;
    private final int decisionPeriod;
    private final double scoreDecay;
    private int shadowAccesses;
    private int followed;
    /** The shadow that led clearly at the last decision, -1 if none. */
    private int pending = -1;
    /** Clear leads of {@link #pending} at the decisions in a row so far. */
    private int pendingRuns;
    /** Sampled accesses since a shadow first made room, counted up to {@link #YOUNG_CAPACITIES} capacities. */
    private long fullAccesses;

    // hill climber
    private double windowFraction;
    private double step;
    private double previousHitRate;
    private long sampleHits;
    private long sampleMisses;

    public RingPolicyModel(final String name, final int capacity, final RingPolicyConfig config)
    {
        this.name = name;
        this.config = config;
        this.capacity = capacity;
        this.random = new SplittableRandom(config.seed());
        this.hasher = KeyHasher.seeded(HashFunction.SIPHASH_1_3, config.seed() * 31 + 17);
        this.windowFraction = config.initialWindow();
        this.step = config.stepPercent();
        segments = new Segment[config.segments()];
        for (int i = 0; i < segments.length; i++)
        {
            final int share = capacity / segments.length + (i < capacity % segments.length ? 1 : 0);
            segments[i] = new Segment(share, false);
        }
        final double rate = Math.min(1.0, (double)config.shadowMaxEntries() / capacity);
        sampleThreshold = (long)Math.ceil(rate * (1L << SAMPLE_BITS));
        final int shadowCapacity = Math.max(1, (int)Math.round(capacity * rate));
        final int count =
            config.adaptation() == RingPolicyConfig.Adaptation.SHADOWS ? config.shadowFractions().length : 0;
        shadows = new Segment[count];
        shadowScores = new double[count];
        for (int i = 0; i < count; i++)
        {
            shadows[i] = new Segment(shadowCapacity, true);
            shadows[i].windowTarget = (int)Math.round(config.shadowFractions()[i] * shadowCapacity);
            if (config.shadowFractions()[i] == config.initialWindow())
            {
                followed = i;
            }
        }
        decisionPeriod = Math.max(16, shadowCapacity / config.shadowDecisions());
        scoreDecay = Math.pow(0.5, 1.0 / (config.shadowHalfLife() * config.shadowDecisions()));
        resize();
    }

    @Override
    public boolean access(final long key)
    {
        final long hash = hasher.hash(key);
        final boolean hit = segmentOf(hash).access(key, hash, true);
        if (shadows.length > 0 && (hash * SAMPLE_MIX) >>> (64 - SAMPLE_BITS) < sampleThreshold)
        {
            shadowAccess(key, hash);
        }
        if (config.adaptation() == RingPolicyConfig.Adaptation.HILL_CLIMBING)
        {
            if (hit)
            {
                sampleHits++;
            }
            else
            {
                sampleMisses++;
            }
            if (sampleHits + sampleMisses >= (long)config.climbSample() * capacity)
            {
                climb();
            }
        }
        return hit;
    }

    @Override
    public String name()
    {
        return name;
    }

    /** @return candidates evicted at the main region's door (admission rejections) */
    public long rejections()
    {
        long sum = 0;
        for (final Segment segment : segments)
        {
            sum += segment.rejections;
        }
        return sum;
    }

    /** @return records moved from a ring's head to a tail (second chances, promotions, demotions, window exits) */
    public long moves()
    {
        long sum = 0;
        for (final Segment segment : segments)
        {
            sum += segment.moves;
        }
        return sum;
    }

    /** @return the window's current share of the capacity */
    public double windowFraction()
    {
        return windowFraction;
    }

    /** @return the sketch bytes of all segments */
    public long sketchBytes()
    {
        long bytes = 0;
        for (final Segment segment : segments)
        {
            bytes += segment.sketch.bytes();
        }
        return bytes;
    }

    /** @return entries per shadow (all shadows have the same capacity), 0 without shadows */
    public int shadowCapacity()
    {
        return shadows.length == 0 ? 0 : shadows[0].capacity;
    }

    private Segment segmentOf(final long hash)
    {
        return segments[(int)(hash >>> 58) & (segments.length - 1)];
    }

    /** Replays a sampled access on every shadow; once per period the cache may follow a better shadow. */
    private void shadowAccess(final long key, final long hash)
    {
        final boolean wasFull = shadows[0].madeRoom;
        for (int i = 0; i < shadows.length; i++)
        {
            if (shadows[i].access(key, hash, false))
            {
                shadowScores[i]++;
            }
        }
        if (shadows[0].madeRoom && !wasFull)
        {
            // equal until the shadows fill: the scores, and the first decision period, start then
            Arrays.fill(shadowScores, 0.0);
            shadowAccesses = 0;
        }
        final long youth = (long)YOUNG_CAPACITIES * shadows[0].capacity;
        if (shadows[0].madeRoom && fullAccesses < youth)
        {
            fullAccesses++;
        }
        if (++shadowAccesses < decisionPeriod)
        {
            return;
        }
        shadowAccesses = 0;
        int best = followed;
        for (int i = 0; i < shadows.length; i++)
        {
            if (shadowScores[i] > shadowScores[best])
            {
                best = i;
            }
        }
        final boolean clear = leads(best);
        final boolean settling = fullAccesses < youth;
        // the lead must hold at two decisions in a row: one period's lead on a short trace is
        // often the warm-up of a share that then does worse in the cache (seeds 1-4: worst cell
        // -3.8 points with the confirmation, -7.9 without); while the shadows settle, at four, by
        // the shadow that first led, which need not stay the best
        if (clear && best == pending || settling && pending >= 0 && leads(pending))
        {
            pendingRuns++;
        }
        else
        {
            pending = clear ? best : -1;
            pendingRuns = clear ? 1 : 0;
        }
        if (pendingRuns >= (settling ? YOUNG_CONFIRMATIONS : 2))
        {
            followed = clear ? best : pending;
            windowFraction = config.shadowFractions()[followed];
            resize();
            pending = -1;
            pendingRuns = 0;
        }
        for (int i = 0; i < shadows.length; i++)
        {
            shadowScores[i] *= scoreDecay;
        }
    }

    /**
     * The engine's {@code AdaptivePolicy.windowKeepAge}: in a window of at least 3/4 of the entries a
     * read head goes round again only when read within 3/4 of the window's turnover (6 of 8 epochs at
     * 100%, 5 at 90%), and an unread one younger than half that (a record a lap passed forward) goes
     * round once; in a smaller one, a head goes round whenever it was read.
     */
    static int windowKeepAge(final int windowTarget, final int capacity)
    {
        if (windowTarget * 4L < capacity * 3L || capacity <= 0)
        {
            return EPOCHS;
        }
        return (int)((windowTarget * 12L + capacity) / (2L * capacity));
    }

    /** @return true when the shadow at {@code shadow} leads the followed one by more than the confidence */
    private boolean leads(final int shadow)
    {
        final double lead = shadowScores[shadow] - shadowScores[followed];
        return lead > config.shadowConfidence() * Math.sqrt(shadowScores[shadow] + shadowScores[followed]);
    }

    /** Caffeine's hill climber: keep going while the hit rate rises, turn round when it falls. */
    private void climb()
    {
        final double hitRate = (double)sampleHits / (sampleHits + sampleMisses);
        final double change = hitRate - previousHitRate;
        final double amount = change >= 0 ? step : -step;
        step = Math.abs(change) >= config.restartThreshold() ?
            config.stepPercent() * Math.signum(amount) :
            amount * config.stepDecay();
        previousHitRate = hitRate;
        sampleHits = 0;
        sampleMisses = 0;
        windowFraction = Math.max(0, Math.min(1, windowFraction + amount));
        resize();
    }

    private void resize()
    {
        for (final Segment segment : segments)
        {
            segment.windowTarget = (int)Math.round(windowFraction * segment.capacity);
        }
    }

    /**
     * One segment (or one shadow): its three rings, its sketch, the per-entry bits of its index
     * slots. Which ring a record is in needs no bit: in the engine its offset says it (page table).
     */
    private final class Segment
    {
        final int capacity;
        final FrequencySketch sketch;
        final IdRing window;
        final IdRing probation;
        final IdRing protectedRing;
        final Map<Long, Integer> index;
        final long[] keys;
        final long[] hashes;
        /** R bit of the index slot. */
        final boolean[] referenced;
        /** Epoch of the last read, 4 bits in the index slot. */
        final byte[] epochs;
        final int[] free;
        int freeCount;
        int windowTarget;
        /** True once this segment has had to make room. */
        boolean madeRoom;
        int epoch;
        int insertsThisEpoch;
        long rejections;
        long moves;

        /** @param shadow true for a shadow, which has no sketch and consults those of the cache's segments */
        Segment(final int capacity, final boolean shadow)
        {
            this.capacity = Math.max(1, capacity);
            this.sketch = shadow ? null : new FrequencySketch(this.capacity, config.sketchWordsPerEntry(),
                config.sketchSampleFactor(), config.doorkeeper());
            window = new IdRing(this.capacity + 1);
            probation = new IdRing(this.capacity + 1);
            protectedRing = new IdRing(this.capacity + 1);
            index = new HashMap<>(this.capacity * 2);
            keys = new long[this.capacity + 1];
            hashes = new long[this.capacity + 1];
            referenced = new boolean[this.capacity + 1];
            epochs = new byte[this.capacity + 1];
            free = new int[this.capacity + 1];
            for (int i = 0; i <= this.capacity; i++)
            {
                free[freeCount++] = this.capacity - i;
            }
        }

        boolean access(final long key, final long hash, final boolean count)
        {
            final Integer found = index.get(key);
            // the sketch counts a read when the read changes the slot's mark (R clear, or an older
            // epoch): the engine's reader writes the slot then anyway (config.countEveryRead() to
            // count every read, as Caffeine does)
            if (count && (found == null || config.countEveryRead() || !referenced[found] || epochs[found] != epoch))
            {
                sketch.increment(hash);
            }
            if (found != null)
            {
                referenced[found] = true;
                epochs[found] = (byte)epoch;
                return true;
            }
            final int id = free[--freeCount];
            keys[id] = key;
            hashes[id] = hash;
            referenced[id] = false;
            epochs[id] = (byte)epoch;
            index.put(key, id);
            window.add(id);
            if (++insertsThisEpoch >= Math.max(1, capacity / EPOCHS_PER_TURNOVER))
            {
                insertsThisEpoch = 0;
                epoch = (epoch + 1) & (EPOCHS - 1);
            }
            while (window.size() + probation.size() + protectedRing.size() > capacity)
            {
                madeRoom = true;
                makeRoom();
            }
            return false;
        }

        private boolean young(final int id, final int keepAge)
        {
            return ((epoch - epochs[id]) & (EPOCHS - 1)) < keepAge;
        }

        /** One step of making room; see the class comment. */
        private void makeRoom()
        {
            final int mainSize = probation.size() + protectedRing.size();
            if (window.size() > windowTarget || mainSize == 0)
            {
                final int candidate = window.poll();
                final int keepAge = windowKeepAge(windowTarget, capacity);
                if (window.size() > 0 && (referenced[candidate] && young(candidate, keepAge) ||
                    !referenced[candidate] && keepAge < EPOCHS && young(candidate, keepAge / 2)))
                {
                    // a recent read, or in a large window a record a lap passed forward; the lap
                    // ages the mark there (the engine's AdaptivePolicy.windowKeepAge)
                    referenced[candidate] = false;
                    if (keepAge < EPOCHS)
                    {
                        epochs[candidate] = (byte)((epoch - keepAge) & (EPOCHS - 1));
                    }
                    window.add(candidate);
                    moves++;
                    return;
                }
                if (mainSize < capacity - windowTarget)
                {
                    toProbation(candidate);
                    return;
                }
                if (mainSize == 0)
                {
                    evict(candidate);
                    return;
                }
                final int victim = findVictim();
                if (admit(hashes[candidate], hashes[victim]))
                {
                    evict(probation.poll());
                    toProbation(candidate);
                }
                else
                {
                    rejections++;
                    evict(candidate);
                }
                return;
            }
            findVictim();
            evict(probation.poll());
        }

        private void toProbation(final int id)
        {
            referenced[id] = false;
            probation.add(id);
            moves++;
        }

        /**
         * Runs the main rings until the probation ring's head is the victim; returns it (still at
         * the head). A probation head read since it entered is promoted to the protected ring; when
         * the protected ring is over its share its head is demoted to the probation tail, unless
         * read recently (second chance in the protected ring). Bounded: every promotion or second
         * chance consumes an R bit.
         */
        private int findVictim()
        {
            final int protectedTarget = (int)((capacity - windowTarget) * config.protectedShare());
            while (true)
            {
                if (probation.size() == 0)
                {
                    final int demoted = protectedRing.poll();
                    referenced[demoted] = false;
                    probation.add(demoted);
                    moves++;
                    continue;
                }
                final int head = probation.head();
                if (!referenced[head])
                {
                    return head;
                }
                if (probation.size() + protectedRing.size() > capacity - windowTarget)
                {
                    window.add(probation.poll());
                    moves++;
                    continue;
                }
                referenced[head] = false;
                protectedRing.add(probation.poll());
                moves++;
                while (protectedRing.size() > protectedTarget && protectedRing.size() > 0)
                {
                    final int top = protectedRing.poll();
                    moves++;
                    if (referenced[top] && young(top, config.mainKeepAge()))
                    {
                        referenced[top] = false;
                        protectedRing.add(top);
                    }
                    else
                    {
                        referenced[top] = false;
                        probation.add(top);
                    }
                }
            }
        }

        private FrequencySketch sketchOf(final long hash)
        {
            return sketch != null ? sketch : segmentOf(hash).sketch;
        }

        private boolean admit(final long candidateHash, final long victimHash)
        {
            final int candidateFrequency = sketchOf(candidateHash).frequency(candidateHash);
            final int victimFrequency = sketchOf(victimHash).frequency(victimHash);
            if (candidateFrequency > victimFrequency)
            {
                return true;
            }
            return candidateFrequency >= config.hashDosThreshold() && (random.nextInt() & 127) == 0;
        }

        private void evict(final int id)
        {
            index.remove(keys[id]);
            free[freeCount++] = id;
        }
    }
}
