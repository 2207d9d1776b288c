package dev.larder.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/**
 * What the service tests share, whatever the JCache provider: the HTTP calls, the actuator's
 * metrics, and the provider-independent check that the second call of a product is answered from the
 * cache (the slow lookup runs once).
 */
abstract class ProductServiceHttp
{
    private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*([-+0-9.eE]+|\"NaN\")");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Value("${local.server.port}")
    private int port;

    @Autowired
    protected SlowProductLookup lookup;

    /** Calls {@code GET /products/{id}} twice; checks both answers are the product and the lookup ran once. */
    protected String secondCallIsACacheHit(final long id) throws IOException, InterruptedException
    {
        final long lookupsBefore = lookup.lookups();
        final String first = get("/products/" + id);
        final String second = get("/products/" + id);

        assertTrue(first.contains("\"name\":\"product-" + id + "\""), first);
        assertEquals(first, second);
        assertEquals(1, lookup.lookups() - lookupsBefore, "the slow lookup ran once");
        return first;
    }

    /** @return the body of a 200 response to {@code GET path}. */
    protected String get(final String path) throws IOException, InterruptedException
    {
        final HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build();
        final HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), () -> "GET " + path + ": " + response.body());
        return response.body();
    }

    /** @return the first measurement of a meter from {@code /actuator/metrics/<name>?tag=...}. */
    protected double metric(final String name, final String... tags) throws IOException, InterruptedException
    {
        final StringBuilder path = new StringBuilder("/actuator/metrics/").append(name);
        for (int i = 0; i < tags.length; i++)
        {
            path.append(i == 0 ? '?' : '&').append("tag=").append(tags[i]);
        }
        final String body = get(path.toString());
        final Matcher value = VALUE.matcher(body);
        assertTrue(value.find(), body);
        return Double.parseDouble(value.group(1).replace("\"", ""));
    }
}
