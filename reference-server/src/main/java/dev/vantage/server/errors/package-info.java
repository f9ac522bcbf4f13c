/**
 * The server's domain exceptions. Neutral: every package may import it, it imports nothing of the server. The HTTP
 * edge ({@code http.Problems}) is the one place that maps them to statuses.
 */
package dev.vantage.server.errors;
