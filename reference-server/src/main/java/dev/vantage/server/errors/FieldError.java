package dev.vantage.server.errors;

/** One problem with one request field: {@code field} is a JSON path ({@code params.count}) or a query parameter. */
public record FieldError(String field, String message) {
}
