package org.rollbackjobs.vector.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A real HTTP server on a free local port whose behaviour is scripted per request: answer with a status (and
 * {@code Retry-After}), answer 200 with what the endpoint would answer, never answer, or send the headers and then
 * stall the body. Records every request with its arrival time. Each request runs on its own thread, so that a
 * stalled one does not hold up the next; stalled requests are let go when the server closes.
 */
public final class ScriptedHttpServer implements AutoCloseable {
  /** A request as it arrived. */
  public record Received(String method, String path, String query, Map<String, String> headers, String body,
      Instant at) {
    public String header(String name) {
      return headers.get(name.toLowerCase());
    }
  }

  /** What the server does with one request. */
  public interface Behaviour {
    void handle(ScriptedHttpServer server, Received request, HttpExchange exchange) throws IOException;
  }

  private final HttpServer server;
  private final Function<Received, String> success;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "scripted-http-server");
    t.setDaemon(true);
    return t;
  });
  private final CountDownLatch closed = new CountDownLatch(1);
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private final ConcurrentLinkedDeque<Behaviour> next = new ConcurrentLinkedDeque<>();
  private volatile Behaviour otherwise = success();

  /** @param success the JSON body of a 200 answer to this request (what the real endpoint would answer) */
  public ScriptedHttpServer(Function<Received, String> success) {
    this.success = success;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.setExecutor(threads);
    server.createContext("/", exchange -> {
      Map<String, String> headers = new TreeMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Received request = new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
          exchange.getRequestURI().getRawQuery(), headers, body, Instant.now());
      received.add(request);
      Behaviour behaviour = next.pollFirst();
      try {
        (behaviour == null ? otherwise : behaviour).handle(this, request, exchange);
      } catch (IOException clientGone) {
        // the client gave up and closed the connection: nothing more to send
      } finally {
        exchange.close();
      }
    });
    server.start();
  }

  /** 200 with what the endpoint would answer. */
  public static Behaviour success() {
    return (server, request, exchange) -> answer(exchange, 200, Map.of(), server.success.apply(request));
  }

  /** This status with a short JSON error body. */
  public static Behaviour status(int status) {
    return retryAfter(status, null);
  }

  /** This status with {@code Retry-After} (when not null) and a short JSON error body. */
  public static Behaviour retryAfter(int status, String retryAfter) {
    return (server, request, exchange) -> answer(exchange, status,
        retryAfter == null ? Map.of() : Map.of("Retry-After", retryAfter),
        "{\"error\":{\"message\":\"test server says " + status + "\"}}");
  }

  /** Reads the request and never answers (until the server closes). */
  public static Behaviour noAnswer() {
    return (server, request, exchange) -> server.waitUntilClosed();
  }

  /** Sends the headers of a 200 and the first bytes of its body, then stalls (until the server closes). */
  public static Behaviour stalledBody() {
    return (server, request, exchange) -> {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, 1000);
      OutputStream out = exchange.getResponseBody();
      out.write("{\"data\":[".getBytes(StandardCharsets.UTF_8));
      out.flush();
      server.waitUntilClosed();
    };
  }

  /** Does these with the next requests, in order, then {@link #otherwise}. */
  public ScriptedHttpServer then(Behaviour... behaviours) {
    next.addAll(List.of(behaviours));
    return this;
  }

  /** Does this with every request nothing is queued for (at first: {@link #success()}). */
  public ScriptedHttpServer otherwise(Behaviour behaviour) {
    this.otherwise = behaviour;
    return this;
  }

  public String url(String pathAndQuery) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery;
  }

  public List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    threads.shutdownNow();
  }

  private void waitUntilClosed() {
    try {
      closed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void answer(HttpExchange exchange, int status, Map<String, String> headers, String json)
      throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
