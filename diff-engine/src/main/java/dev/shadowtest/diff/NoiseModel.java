package dev.shadowtest.diff;

import dev.shadowtest.core.BadInputException;

/**
 * Decides, from a whole run, whether a field's differences are real discrepancies or noise.
 *
 * <p>For one endpoint and field: {@code c} of {@code n} compared exchanges differed against the
 * candidate; {@code s} of {@code m} exchanges where primary and secondary both answered differed
 * between those two legacy instances (the noise). The field is <b>real</b> when
 *
 * <ol>
 *   <li>no noise was seen ({@code s == 0}), or fewer than {@link #minNoiseSamples()} exchanges
 *       measured noise (not enough evidence to excuse anything: a false match is the worst bug); or
 *   <li>the candidate rate is clearly above the noise rate: {@code c/n > (s/m)(1 + relative) + absolute}
 *       <em>and</em> the lower end of the candidate rate's Wilson score interval is above the upper
 *       end of the noise rate's, at confidence {@code z}.
 * </ol>
 *
 * Otherwise the field is noise. Diffy uses the first half of (2) alone with relative 20% and
 * absolute 0.03%; that calls a field real on the strength of two or three exchanges, or calls it
 * noise when a few chance observations inflate the noise rate. The interval test makes the call
 * depend on how many exchanges back each rate.
 *
 * @param minNoiseSamples exchanges with both primary and secondary needed before anything is noise
 * @param relative        relative margin (0.2 = 20%)
 * @param absolute        absolute margin on rates (0.0003 = 0.03%)
 * @param z               confidence of the interval test (1.96 ≈ 95%)
 */
public record NoiseModel(int minNoiseSamples, double relative, double absolute, double z) {

  public NoiseModel {
    if (minNoiseSamples < 1 || relative < 0 || absolute < 0 || z < 0) {
      throw new BadInputException("noise thresholds must be positive");
    }
  }

  /** 30 samples, 20% relative, 0.03% absolute, 95% confidence. */
  public static NoiseModel defaults() {
    return new NoiseModel(30, 0.2, 0.0003, 1.96);
  }

  /** True when the field's candidate differences are explained by noise. */
  public boolean isNoise(long candidateDiffs, long compared, long noiseDiffs, long noiseSamples) {
    if (noiseDiffs == 0 || noiseSamples < minNoiseSamples || compared == 0) {
      return false;
    }
    double c = (double) candidateDiffs / compared;
    double s = (double) noiseDiffs / noiseSamples;
    boolean clearlyAbove =
        c > s * (1 + relative) + absolute
            && wilsonLower(candidateDiffs, compared) > wilsonUpper(noiseDiffs, noiseSamples);
    return !clearlyAbove;
  }

  double wilsonLower(long k, long n) {
    return wilson(k, n, -1);
  }

  double wilsonUpper(long k, long n) {
    return wilson(k, n, 1);
  }

  private double wilson(long k, long n, int sign) {
    double p = (double) k / n;
    double z2 = z * z;
    double center = p + z2 / (2.0 * n);
    double spread = z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
    return (center + sign * spread) / (1 + z2 / n);
  }
}
