package dev.vantage.server.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers of docs/architecture.md, checked on the compiled server: the HTTP edge, slices in the middle, stores and
 * dispatch at the bottom, and neutral packages (security, errors, json, config) that everything may import. Every
 * rule names the packages it is about, so a failure says which arrow is new.
 */
class ArchitectureTest {
    private static final String SERVER = "dev.vantage.server";
    /** Importable by every package; they import nothing of the server but each other. */
    private static final String[] NEUTRAL = {SERVER + ".security..", SERVER + ".errors..", SERVER + ".json..",
            SERVER + ".config.."};

    private static JavaClasses server;

    @BeforeAll
    static void importServer() {
        server = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(SERVER);
    }

    @Test
    void noPackageCycles() {
        slices().matching(SERVER + ".(**)").should().beFreeOfCycles().check(server);
    }

    @Test
    void neutralPackagesImportNothingOfTheServerButEachOther() {
        noClasses().that().resideInAnyPackage(NEUTRAL)
                .should().dependOnClassesThat(resideInAPackage(SERVER + "..").and(not(resideInAnyPackage(NEUTRAL))))
                .check(server);
    }

    @Test
    void theHttpEdgeKnowsNoSlice() {
        noClasses().that().resideInAPackage(SERVER + ".http..")
                .should().dependOnClassesThat(resideInAPackage(SERVER + "..")
                        .and(not(resideInAnyPackage(NEUTRAL)))
                        .and(not(resideInAnyPackage(SERVER + ".http..", SERVER + ".db.."))))
                .check(server);
    }

    @Test
    void storesAndDispatchKnowNothingOfHttp() {
        noClasses().that().haveSimpleNameEndingWith("Store").or().resideInAnyPackage(SERVER + ".db..", SERVER + ".dispatch..")
                .should().dependOnClassesThat().resideInAnyPackage(SERVER + ".http..", "io.helidon.http..",
                        "io.helidon.webserver..")
                .check(server);
    }

    @Test
    void onlyTheCompositionRootUsesTheCompositionRoot() {
        noClasses().that().resideOutsideOfPackage(SERVER)
                .should().dependOnClassesThat().resideInAPackage(SERVER)
                .check(server);
    }

    /**
     * Dispatch is exempt: it is the bottom layer's transport of results into the {@code ResultStore} (at once, or
     * through RabbitMQ), not a slice.
     */
    @Test
    void aSliceReachesAnotherThroughAnInterfaceItOwnsNeverThroughTheOthersStore() {
        classes().that().resideInAPackage(SERVER + ".*..").and().resideOutsideOfPackage(SERVER + ".dispatch..")
                .should(useOnlyTheirOwnSlicesStores()).check(server);
    }

    /** The slice of a class: the package right under the server's ({@code agents} for {@code agents.gateway}). */
    private static String slice(JavaClass c) {
        String rest = c.getPackageName().substring(Math.min(c.getPackageName().length(), SERVER.length() + 1));
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    private static ArchCondition<JavaClass> useOnlyTheirOwnSlicesStores() {
        return new ArchCondition<>("use only the stores of their own slice") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                for (Dependency d : c.getDirectDependenciesFromSelf()) {
                    JavaClass target = d.getTargetClass();
                    if (target.getPackageName().startsWith(SERVER + ".") && target.getSimpleName().endsWith("Store")
                            && !slice(target).equals(slice(c))) {
                        events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                    }
                }
            }
        };
    }
}
