package dev.vantage.probe.engine.internal;

import dev.vantage.probe.engine.Assertion;
import dev.vantage.probe.engine.Assertion.Op;
import dev.vantage.probe.engine.Durations;
import dev.vantage.probe.spi.AssertionOutcome;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.InvalidValueException;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** An {@link Assertion} checked once when its task is accepted, ready to evaluate on every result. */
public final class CompiledAssertion {
    private static final int MAX_ACTUAL = 200;

    private enum Kind { STATUS, DURATION, PHASE, MEASUREMENT, ATTRIBUTE }

    private final Assertion assertion;
    private final String text;
    private final Kind kind;
    private final String name;
    private final double number;
    private final Pattern pattern;
    private final JsonPointer pointer;
    private final List<String> values; // set_equals: the expected elements
    private final List<Cidr> ranges; // within_cidr

    private CompiledAssertion(Assertion a, Kind kind, String name, double number, Pattern pattern, JsonPointer pointer,
                              List<String> values, List<Cidr> ranges) {
        this.assertion = a;
        this.text = a.toString();
        this.kind = kind;
        this.name = name;
        this.number = number;
        this.pattern = pattern;
        this.pointer = pointer;
        this.values = values;
        this.ranges = ranges;
    }

    /**
     * Checks an assertion, adding every problem found under {@code path} (e.g. {@code assertions[0]}).
     *
     * @return the compiled assertion, or {@code null} if a problem was added
     */
    public static CompiledAssertion compile(Assertion a, String path, List<ConfigProblem> problems) {
        int before = problems.size();
        if (a == null) {
            problems.add(EngineTexts.problem(path, "engine.assertion.object"));
            return null;
        }
        if (a.op() == null) {
            problems.add(EngineTexts.problem(path + ".op", "engine.assertion.op"));
        }
        if (a.value() == null) {
            problems.add(EngineTexts.problem(path + ".value", "engine.required"));
        }
        String field = a.field() == null ? "" : a.field();
        Kind kind;
        String name = "";
        if (field.equals("status")) {
            kind = Kind.STATUS;
        } else if (field.equals("durationMs")) {
            kind = Kind.DURATION;
        } else if (field.startsWith("phase.") && field.length() > 6) {
            kind = Kind.PHASE;
            name = field.substring(6);
        } else if (field.startsWith("measurement.") && field.length() > 12) {
            kind = Kind.MEASUREMENT;
            name = field.substring(12);
        } else if (field.startsWith("attribute.") && field.length() > 10) {
            kind = Kind.ATTRIBUTE;
            name = field.substring(10);
        } else {
            problems.add(EngineTexts.problem(path + ".field", "engine.assertion.field", field));
            return null;
        }
        JsonPointer pointer = null;
        if (a.jsonPointer() != null) {
            if (kind != Kind.ATTRIBUTE) {
                problems.add(EngineTexts.problem(path + ".jsonPointer", "engine.assertion.pointerField"));
            } else {
                try {
                    pointer = JsonPointer.compile(a.jsonPointer());
                } catch (IllegalArgumentException e) {
                    problems.add(EngineTexts.problem(path + ".jsonPointer", "engine.assertion.pointer", e.getMessage()));
                }
            }
        }
        double number = Double.NaN;
        Pattern pattern = null;
        List<String> values = List.of();
        List<Cidr> ranges = List.of();
        if (a.op() != null && a.value() != null) {
            boolean numericField = kind == Kind.DURATION || kind == Kind.PHASE || kind == Kind.MEASUREMENT;
            if (kind == Kind.STATUS) {
                if (a.op() != Op.EQ && a.op() != Op.NE) {
                    problems.add(EngineTexts.problem(path + ".op", "engine.assertion.statusOp"));
                }
                try {
                    ProbeStatus.valueOf(a.value());
                } catch (IllegalArgumentException e) {
                    problems.add(EngineTexts.problem(path + ".value", "engine.assertion.status"));
                }
            } else if (numericField && !a.op().numeric()) {
                problems.add(EngineTexts.problem(path + ".op", "engine.assertion.numericOp", field));
            }
            if (a.op().numeric() && kind != Kind.STATUS) {
                try {
                    number = Double.parseDouble(a.value());
                } catch (NumberFormatException e) {
                    problems.add(EngineTexts.problem(path + ".value", "engine.assertion.number", a.op().jsonName()));
                }
            }
            if (a.op() == Op.SET_EQUALS) {
                values = items(a.value());
            }
            if (a.op() == Op.WITHIN_CIDR) {
                ranges = new ArrayList<>();
                for (String item : items(a.value())) {
                    try {
                        ranges.add(Cidr.parse(item));
                    } catch (IllegalArgumentException e) {
                        problems.add(e instanceof InvalidValueException v ? ConfigProblem.of(path + ".value", v.getMessage(), v.code(), v.args())
                                : ConfigProblem.of(path + ".value", e.getMessage()));
                    }
                }
                if (ranges.isEmpty() && problems.size() == before) {
                    problems.add(EngineTexts.problem(path + ".value", "engine.assertion.ranges"));
                }
            }
            if (a.op() == Op.MATCHES || a.op() == Op.NOT_MATCHES) {
                try {
                    pattern = Pattern.compile(a.value());
                } catch (PatternSyntaxException e) {
                    problems.add(EngineTexts.problem(path + ".value", "engine.assertion.regex", e.getDescription()));
                }
            }
        }
        return problems.size() > before ? null
                : new CompiledAssertion(a, kind, name, number, pattern, pointer, values, ranges);
    }

    /** The comma-separated items of a value, trimmed, empty ones left out. */
    private static List<String> items(String value) {
        List<String> items = new ArrayList<>();
        for (String item : value.split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return items;
    }

    public Assertion assertion() {
        return assertion;
    }

    /**
     * Evaluates this assertion on a result; never throws.
     *
     * @param total the attempt's total duration (the engine fills it in when the probe did not)
     */
    public AssertionOutcome evaluate(ProbeResult r, Duration total) {
        String actual = switch (kind) {
            case STATUS -> r.status().name();
            case DURATION -> format(Durations.toMillis(total));
            case PHASE -> {
                Duration d = r.phases().get(name);
                yield d == null ? null : format(Durations.toMillis(d));
            }
            case MEASUREMENT -> {
                Double v = r.measurements().get(name);
                yield v == null ? null : format(v);
            }
            case ATTRIBUTE -> {
                String value = r.attributes().get(name);
                yield pointer == null || value == null ? value : pointer.select(value); // null if not JSON
            }
        };
        boolean passed = actual != null && holds(actual);
        return AssertionOutcome.of(text, passed, actual == null || actual.length() <= MAX_ACTUAL
                ? actual : actual.substring(0, MAX_ACTUAL) + "...");
    }

    private boolean holds(String actual) {
        Op op = assertion.op();
        if (kind == Kind.STATUS) {
            return (op == Op.EQ) == actual.equals(assertion.value());
        }
        if (op.list()) {
            return holdsForList(JsonPointer.elements(actual));
        }
        if (op.numeric()) {
            double v;
            try {
                v = Double.parseDouble(actual);
            } catch (NumberFormatException e) {
                return false;
            }
            return switch (op) {
                case LT -> v < number;
                case LE -> v <= number;
                case EQ -> v == number;
                case NE -> v != number;
                case GE -> v >= number;
                default -> v > number;
            };
        }
        return switch (op) {
            case EQUALS -> actual.equals(assertion.value());
            case NOT_EQUALS -> !actual.equals(assertion.value());
            case CONTAINS -> actual.contains(assertion.value());
            case NOT_CONTAINS -> !actual.contains(assertion.value());
            case MATCHES -> pattern.matcher(actual).find();
            default -> !pattern.matcher(actual).find();
        };
    }

    private boolean holdsForList(List<String> elements) {
        return switch (assertion.op()) {
            case INCLUDES -> elements.stream().anyMatch(e -> same(e, assertion.value()));
            case NOT_INCLUDES -> elements.stream().noneMatch(e -> same(e, assertion.value()));
            case SET_EQUALS -> elements.stream().allMatch(e -> values.stream().anyMatch(v -> same(e, v)))
                    && values.stream().allMatch(v -> elements.stream().anyMatch(e -> same(e, v)));
            default -> !elements.isEmpty() && elements.stream().allMatch(e -> {
                InetAddress ip = Cidr.literal(e);
                return ip != null && ranges.stream().anyMatch(r -> r.contains(ip));
            });
        };
    }

    /** Equal texts, or two spellings of one IP address. */
    private static boolean same(String element, String expected) {
        if (element.equals(expected.trim())) {
            return true;
        }
        InetAddress a = Cidr.literal(element);
        return a != null && a.equals(Cidr.literal(expected));
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }
}
