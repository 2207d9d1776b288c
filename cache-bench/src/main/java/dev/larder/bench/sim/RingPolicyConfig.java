package dev.larder.bench.sim;

/**
 * The settings of {@link RingPolicyModel}; {@link #defaults()} is {@code larder-next}.
 *
 * @param segments            segments (a power of two); the simulator's Larder uses one
 * @param initialWindow       window share at start
 * @param adaptation          how the window share adapts
 * @param shadowFractions     window shares the shadows try
 * @param shadowMaxEntries    most entries per shadow (sets the sampling rate)
 * @param shadowHalfLife      half-life of shadow scores, in shadow capacities of sampled accesses
 * @param shadowDecisions     decisions per shadow capacity of sampled accesses
 * @param shadowConfidence    lead (in standard deviations) a shadow needs before the cache follows it
 * @param climbSample         hill climber: accesses per sample, in capacities
 * @param stepPercent         hill climber: initial step, share of the capacity
 * @param stepDecay           hill climber: step decay per sample
 * @param restartThreshold    hill climber: hit-rate change that restarts the step
 * @param sketchWordsPerEntry sketch words (16 counters each) per entry
 * @param sketchSampleFactor  sketch events per aging, in capacities
 * @param doorkeeper          whether the sketch has a doorkeeper
 * @param countEveryRead      count every read in the sketch, not only mark changes
 * @param mainKeepAge         epochs within which a protected entry's read keeps it protected
 * @param protectedShare      protected ring's most share of the main region
 * @param hashDosThreshold    candidate frequency from which a lost admission is retried at 1/128
 * @param seed                seed of the hash key and of the admission coin
 */
public record RingPolicyConfig(
    int segments,
    double initialWindow,
    Adaptation adaptation,
    double[] shadowFractions,
    int shadowMaxEntries,
    int shadowHalfLife,
    int shadowDecisions,
    double shadowConfidence,
    int climbSample,
    double stepPercent,
    double stepDecay,
    double restartThreshold,
    double sketchWordsPerEntry,
    int sketchSampleFactor,
    boolean doorkeeper,
    boolean countEveryRead,
    int mainKeepAge,
    double protectedShare,
    int hashDosThreshold,
    long seed)
{
    /** How the window's share adapts. */
    public enum Adaptation
    {
        /** Fixed at {@link RingPolicyConfig#initialWindow}. */
        NONE,
        /** Caffeine's hill climber on the hit rate of successive samples. */
        HILL_CLIMBING,
        /** The best of the shadow caches (see the class comment). */
        SHADOWS
    }

    /** @return the settings of {@code larder-next} */
    public static RingPolicyConfig defaults()
    {
        return new RingPolicyConfig(1, 0.01, Adaptation.SHADOWS, new double[] {0.01, 0.1, 0.3, 0.6, 0.9, 1.0}, 4096,
            12, 4, 2.0, 10, 0.0625, 0.98, 0.05, 1.0, 10, false, false, 6, 0.8, 6, 1);
    }

    /** @return these settings with another seed */
    public RingPolicyConfig withSeed(final long newSeed)
    {
        return new RingPolicyConfig(segments, initialWindow, adaptation, shadowFractions, shadowMaxEntries,
            shadowHalfLife, shadowDecisions, shadowConfidence, climbSample, stepPercent, stepDecay, restartThreshold,
            sketchWordsPerEntry, sketchSampleFactor, doorkeeper, countEveryRead, mainKeepAge, protectedShare,
            hashDosThreshold, newSeed);
    }
}
