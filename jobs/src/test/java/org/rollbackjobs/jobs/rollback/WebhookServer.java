package org.rollbackjobs.jobs.rollback;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.rollbackjobs.jobs.http.TestExchanges;

/**
 * A real HTTP server on a free local port that records every request (method, path, headers, body, arrival) and
 * answers with the queued answers, then with {@link #otherwise}. An answer may hang (never respond in time), and
 * each request is handled on its own thread, so that a hanging answer does not hold up the others.
 */
final class WebhookServer implements AutoCloseable {
  record Received(String method, String path, Map<String, String> headers, String body, Instant at) {
    String header(String name) {
      return headers.get(name.toLowerCase());
    }
  }

  /** An answer: a status with headers, or a hang of {@code hangMs} before answering. */
  record Answer(int status, Map<String, String> headers, long hangMs) {
    static Answer status(int status) {
      return new Answer(status, Map.of(), 0);
    }

    static Answer retryAfter(int status, String retryAfter) {
      return new Answer(status, Map.of("Retry-After", retryAfter), 0);
    }

    static Answer hang(long ms) {
      return new Answer(200, Map.of(), ms);
    }
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "webhook-server");
    t.setDaemon(true);
    return t;
  });
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private final ConcurrentLinkedDeque<Answer> answers = new ConcurrentLinkedDeque<>();
  private volatile Answer otherwise = Answer.status(200);

  WebhookServer() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.setExecutor(threads);
    server.createContext("/", exchange -> {
      Map<String, String> headers = TestExchanges.headers(exchange);
      String body = TestExchanges.body(exchange);
      received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body,
          Instant.now()));
      Answer queued = answers.pollFirst();
      Answer answer = queued == null ? otherwise : queued;
      if (answer.hangMs() > 0) {
        try {
          Thread.sleep(answer.hangMs());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] text = (answer.status() < 300 ? "ok" : "test server says " + answer.status())
          .getBytes(StandardCharsets.UTF_8);
      answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      exchange.getResponseHeaders().add("Content-Type", "text/plain");
      try {
        exchange.sendResponseHeaders(answer.status(), text.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(text);
        }
      } catch (IOException clientGone) {
        // the client timed out and closed the connection: nothing to answer
      }
    });
    server.start();
  }

  /** Answers the next requests with these, in order. */
  WebhookServer thenAnswer(Answer... next) {
    for (Answer a : next) {
      answers.addLast(a);
    }
    return this;
  }

  WebhookServer otherwise(Answer answer) {
    this.otherwise = answer;
    return this;
  }

  /** Forgets what was received and queued; answers 200 again. */
  void reset() {
    received.clear();
    answers.clear();
    otherwise = Answer.status(200);
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
