package io.connscope.arch;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.connscope.detect.CrossDetector;
import io.connscope.detect.Detector;
import io.connscope.detect.facts.HttpConnections;
import io.connscope.detect.facts.PairAggregator;
import io.connscope.detect.facts.ReuseFailures;
import io.connscope.http.HttpTracker;
import io.connscope.tcp.Connection;
import io.connscope.tcp.HalfConnection;

/**
 * The layers of connscope and the direction of their dependencies, checked on the compiled classes
 * (tests excluded):
 *
 * <pre>
 *   capture -> decode -> tcp -> http (tls beside it) -> detect -> analysis -> report -> diff -> cli
 *                                         result: the model the analysis builds and the reports render
 * </pre>
 *
 * A layer may use the layers before it, never one after it. {@code result} is neutral: it uses
 * nothing else of connscope, and {@code detect}, {@code analysis}, {@code report} and {@code cli}
 * use it; so does {@code tls}, whose facts are built once, at the close of a connection, as the
 * immutable result record {@code TlsFacts} the reports render. {@code report} sees only the result
 * model: no packet, connection, message or detector type. Inside {@code detect}, the shared facts
 * ({@code detect.facts}) come before the detectors: they never use a detector, and no detector uses
 * another. There are no exceptions today; a dependency that must be tolerated while it is being
 * fixed is listed here, with the reason and the issue, not hidden.
 */
@AnalyzeClasses(packages = "io.connscope", importOptions = ImportOption.DoNotIncludeTests.class)
class LayersTest {
  private static final String CAPTURE = "io.connscope.capture..";
  private static final String DECODE = "io.connscope.decode..";
  private static final String TCP = "io.connscope.tcp..";
  private static final String HTTP = "io.connscope.http..";
  private static final String TLS = "io.connscope.tls..";
  private static final String DETECT = "io.connscope.detect..";
  private static final String ANALYSIS = "io.connscope.analysis..";
  private static final String RESULT = "io.connscope.result..";
  private static final String REPORT = "io.connscope.report..";
  private static final String DIFF = "io.connscope.diff..";
  private static final String CLI = "io.connscope.cli..";
  private static final String SPARK = "io.connscope.spark..";

  /** The direction: each layer is used only by the layers after it. */
  @ArchTest
  static final ArchRule layersPointOneWay =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("Capture")
          .definedBy(CAPTURE)
          .layer("Decode")
          .definedBy(DECODE)
          .layer("Tcp")
          .definedBy(TCP)
          .layer("Http")
          .definedBy(HTTP)
          .layer("Tls")
          .definedBy(TLS)
          .layer("Detect")
          .definedBy(DETECT)
          .layer("Analysis")
          .definedBy(ANALYSIS)
          .layer("Result")
          .definedBy(RESULT)
          .layer("Report")
          .definedBy(REPORT)
          .layer("Diff")
          .definedBy(DIFF)
          .layer("Cli")
          .definedBy(CLI)
          .layer("Spark")
          .definedBy(SPARK)
          .whereLayer("Spark")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("Cli")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("Diff")
          .mayOnlyBeAccessedByLayers("Cli")
          .whereLayer("Report")
          .mayOnlyBeAccessedByLayers("Diff", "Cli", "Spark")
          .whereLayer("Analysis")
          .mayOnlyBeAccessedByLayers("Cli", "Spark")
          .whereLayer("Detect")
          .mayOnlyBeAccessedByLayers("Analysis", "Cli")
          .whereLayer("Tls")
          .mayOnlyBeAccessedByLayers("Http", "Detect", "Analysis", "Cli", "Spark")
          .whereLayer("Http")
          .mayOnlyBeAccessedByLayers("Tls", "Detect", "Analysis", "Cli", "Spark")
          .whereLayer("Tcp")
          .mayOnlyBeAccessedByLayers("Http", "Tls", "Detect", "Analysis", "Cli", "Spark")
          .whereLayer("Decode")
          .mayOnlyBeAccessedByLayers("Tcp", "Http", "Tls", "Detect", "Analysis", "Cli", "Spark")
          .whereLayer("Capture")
          .mayOnlyBeAccessedByLayers(
              "Decode", "Tcp", "Http", "Tls", "Detect", "Analysis", "Cli", "Spark")
          .whereLayer("Result")
          .mayOnlyBeAccessedByLayers("Tls", "Detect", "Analysis", "Report", "Diff", "Cli", "Spark");

  /**
   * The result model is neutral: plain records over the JDK and the neutral {@code common} (the
   * kept header names), nothing of connscope's layers.
   */
  @ArchTest
  static final ArchRule resultUsesNoLayer =
      classes()
          .that()
          .resideInAPackage(RESULT)
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(RESULT, "io.connscope.common..", "java..");

  /** The neutral types (warnings, addresses, directions) use nothing of connscope's layers. */
  @ArchTest
  static final ArchRule commonUsesNoLayer =
      classes()
          .that()
          .resideInAPackage("io.connscope.common..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage("io.connscope.common..", "java..");

  /** The diff compares result records: it never sees the pipeline's own types. */
  @ArchTest
  static final ArchRule diffSeesNoPipelineType =
      noClasses()
          .that()
          .resideInAPackage(DIFF)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(CAPTURE, DECODE, TCP, HTTP, TLS, DETECT, ANALYSIS, CLI);

  /** Reports render the result model, never the pipeline's own types. */
  @ArchTest
  static final ArchRule reportSeesNoPipelineType =
      noClasses()
          .that()
          .resideInAPackage(REPORT)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(CAPTURE, DECODE, TCP, HTTP, TLS, DETECT, ANALYSIS, CLI);

  /** Every report writer renders records of the result model. */
  @ArchTest
  static final ArchRule writersRenderTheModel =
      classes()
          .that()
          .resideInAPackage(REPORT)
          .and()
          .haveSimpleNameEndingWith("ReportWriter")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(RESULT);

  /** No cycle between the top-level packages. */
  @ArchTest
  static final ArchRule noCycles =
      slices().matching("io.connscope.(*)..").should().beFreeOfCycles();

  /**
   * The shared facts ({@code detect.facts}, with the thresholds {@code DetectOptions}) are a stage
   * before the detectors: they never use a detector, {@code Detector}, {@code Detectors} or
   * anything else of {@code detect}'s top package, so the two packages form no cycle.
   */
  @ArchTest
  static final ArchRule factsUseNoDetector =
      noClasses()
          .that()
          .resideInAPackage("io.connscope.detect.facts..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("io.connscope.detect")
                  .or(assignableTo(Detector.class))
                  .as("are a detector or a class of detect's top package"));

  /**
   * The detectors across connections, and the aggregates and links they read, see a finished
   * connection only through what stays of it ({@code ConnectionView}, {@code HttpView}): never the
   * live connection, its halves or its HTTP tracker, so the stage that runs them can run apart from
   * the packets (another thread, another process after serialisation).
   */
  @ArchTest
  static final ArchRule crossStageSeesNoLiveConnection =
      noClasses()
          .that()
          .implement(CrossDetector.class)
          .or()
          .belongToAnyOf(PairAggregator.class, HttpConnections.class, ReuseFailures.class)
          .should()
          .dependOnClassesThat( // their value types (Connection.CloseReason) are fine
              equivalentTo(Connection.class)
                  .or(equivalentTo(HalfConnection.class))
                  .or(equivalentTo(HttpTracker.class))
                  .as("are the live Connection, HalfConnection or HttpTracker"));

  /**
   * Detectors are a pipeline over shared facts (the {@code ConnectionFacts} stage), not a web: no
   * detector uses another (an abstract base class it extends is not another detector).
   */
  @ArchTest
  static final ArchRule noDetectorUsesAnother =
      classes()
          .that()
          .implement(Detector.class)
          .should(
              new ArchCondition<JavaClass>("not depend on another detector") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                  for (Dependency d : c.getDirectDependenciesFromSelf()) {
                    JavaClass t = d.getTargetClass();
                    if (!t.equals(c)
                        && !t.isEquivalentTo(Detector.class)
                        && t.isAssignableTo(Detector.class)
                        && !c.isAssignableTo(t.getName())) {
                      events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                    }
                  }
                }
              });
}
