package io.connscope.detect.facts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.connscope.result.Severity;
import org.junit.jupiter.api.Test;

class SeverityRuleTest {
  @Test
  void costAtTheThresholdIsAWarningBelowItInfo() {
    assertEquals(Severity.WARNING, SeverityRule.cost(10_000, 10_000));
    assertEquals(Severity.INFO, SeverityRule.cost(9_999, 10_000));
    assertEquals(Severity.INFO, SeverityRule.cost(9, 10_000), "the 9 µs keep-alive 'refusal'");
  }

  @Test
  void nothingMeasuredIsInfoWhateverTheThreshold() {
    assertEquals(Severity.INFO, SeverityRule.cost(0, 0));
    assertEquals(Severity.WARNING, SeverityRule.cost(1, 0));
  }

  @Test
  void aProtocolErrorHasTheSeverityOfWhatItBroke() {
    assertEquals(Severity.ERROR, SeverityRule.broke(true, 0, 10_000));
    assertEquals(Severity.WARNING, SeverityRule.broke(false, 20_000, 10_000));
    assertEquals(Severity.INFO, SeverityRule.broke(false, 0, 10_000));
  }

  @Test
  void setupsAtAReferenceRoundTrip() {
    assertEquals(
        "at 50 ms per round trip these 200 setups would cost 10 s",
        SeverityRule.atRoundTrip(200, "setup", 50_000));
    assertEquals(
        "at 50 ms per round trip this setup would cost 50 ms",
        SeverityRule.atRoundTrip(1, "setup", 50_000));
    assertEquals(
        "at 0.5 ms per round trip these 3 setups would cost 1.5 ms",
        SeverityRule.atRoundTrip(3, "setup", 500));
    assertEquals(
        "at 45 ms per round trip these 25 setups would cost 1.13 s",
        SeverityRule.atRoundTrip(25, "setup", 45_000));
  }
}
