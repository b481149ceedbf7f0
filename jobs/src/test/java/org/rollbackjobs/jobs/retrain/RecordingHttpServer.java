package org.rollbackjobs.jobs.retrain;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.rollbackjobs.jobs.http.TestExchanges;

/**
 * A real HTTP server on a free local port that records every request it receives (method, path, headers, body)
 * and answers with the queued status codes, then with {@link #otherwise}.
 */
final class RecordingHttpServer implements AutoCloseable {
  record Received(String method, String path, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase());
    }
  }

  private final HttpServer server;
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private final ConcurrentLinkedDeque<Integer> statuses = new ConcurrentLinkedDeque<>();
  private volatile int otherwise = 200;

  RecordingHttpServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      Map<String, String> headers = TestExchanges.headers(exchange);
      String body = TestExchanges.body(exchange);
      received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body));
      Integer queued = statuses.pollFirst();
      int status = queued == null ? otherwise : queued;
      byte[] answer = ("{\"status\":" + status + ",\"detail\":\"test server says " + status + "\"}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    });
    server.start();
  }

  /** Answers the next requests with these statuses, in order. */
  RecordingHttpServer thenAnswer(int... codes) {
    for (int code : codes) {
      statuses.addLast(code);
    }
    return this;
  }

  RecordingHttpServer otherwise(int status) {
    this.otherwise = status;
    return this;
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
  }
}
