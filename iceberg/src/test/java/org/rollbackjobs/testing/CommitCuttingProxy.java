package org.rollbackjobs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy between an Iceberg JDBC catalog and PostgreSQL (in the style of Toxiproxy) that cuts the connection
 * at the catalog's commit statement, {@code UPDATE iceberg_tables ...}, found in the client's bytes of the
 * PostgreSQL protocol (the URL from {@link #jdbcUrl(String)} sends the SQL text with every statement and no TLS).
 */
public final class CommitCuttingProxy implements AutoCloseable {
  private static final String COMMIT = "UPDATE iceberg_tables";
  private static final Pattern AUTHORITY = Pattern.compile("^jdbc:postgresql://([^/:?]+)(?::(\\d+))?");

  /** What happens to a commit statement while the proxy is armed. */
  public enum Cut {
    /** The server runs it and answers; the answer is dropped and both sides are cut (it landed, unknown to the client). */
    LANDED,
    /** Both sides are cut before the server sees it (it did not land). */
    LOST
  }

  private final ServerSocket listener;
  private final String host;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger remainingCuts = new AtomicInteger();
  private final AtomicInteger cuts = new AtomicInteger();
  private volatile Cut cut;
  private volatile boolean outageAfterCut;
  private volatile boolean outage;

  private CommitCuttingProxy(String host, int port) throws IOException {
    this.host = host;
    this.port = port;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "commit-cutting-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A proxy in front of the server of {@code jdbcUrl} ({@code jdbc:postgresql://host:port/db...}). */
  public static CommitCuttingProxy to(String jdbcUrl) {
    Matcher m = AUTHORITY.matcher(jdbcUrl);
    if (!m.find()) {
      throw new IllegalArgumentException("not a jdbc:postgresql:// URL: " + jdbcUrl);
    }
    try {
      return new CommitCuttingProxy(m.group(1), m.group(2) == null ? 5432 : Integer.parseInt(m.group(2)));
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the proxy's port", e);
    }
  }

  /** {@code jdbcUrl} through this proxy, with the SQL text sent every time and TLS off (the proxy reads the bytes). */
  public String jdbcUrl(String jdbcUrl) {
    String through = AUTHORITY.matcher(jdbcUrl).replaceFirst("jdbc:postgresql://127.0.0.1:" + listener.getLocalPort());
    return through + (through.contains("?") ? "&" : "?") + "prepareThreshold=0&sslmode=disable";
  }

  /** Cuts the next {@code times} commit statements as {@code how}. */
  public void arm(Cut how, int times) {
    arm(how, times, false);
  }

  /** Cuts the next commit statement as {@code how}, then refuses every connection until {@link #endOutage()}. */
  public void armWithOutage(Cut how) {
    arm(how, 1, true);
  }

  private void arm(Cut how, int times, boolean thenOutage) {
    cut = how;
    outageAfterCut = thenOutage;
    remainingCuts.set(times);
  }

  public void endOutage() {
    outage = false;
  }

  /** How many commit statements were cut. */
  public int cuts() {
    return cuts.get();
  }

  @Override
  public void close() throws IOException {
    listener.close();
    open.forEach(CommitCuttingProxy::closeQuietly);
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        if (outage) {
          closeQuietly(client);
          continue;
        }
        Socket server = new Socket(host, port);
        open.add(client);
        open.add(server);
        Connection connection = new Connection(client, server);
        start(connection::clientToServer);
        start(connection::serverToClient);
      } catch (IOException e) {
        // closed, or the server refused: the client sees its connection end
      }
    }
  }

  private static void start(Runnable pump) {
    Thread thread = new Thread(pump, "commit-cutting-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private boolean takeCut() {
    return cut != null && remainingCuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
  }

  /** One client connection and its server connection. */
  private final class Connection {
    private final Socket client;
    private final Socket server;
    /** Set when the commit went to the server: its answer must not reach the client. */
    private volatile boolean swallowAnswer;

    Connection(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void clientToServer() {
      byte[] buffer = new byte[16384];
      String tail = "";
      try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          String text = tail + new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
          if (!swallowAnswer && text.contains(COMMIT) && takeCut()) {
            if (cut == Cut.LOST) {
              cutBoth();
              return;
            }
            swallowAnswer = true;
          }
          out.write(buffer, 0, n);
          out.flush();
          tail = text.substring(Math.max(0, text.length() - COMMIT.length()));
        }
      } catch (IOException e) {
        // cut
      } finally {
        cutBothQuietly();
      }
    }

    void serverToClient() {
      byte[] buffer = new byte[16384];
      StringBuilder answer = new StringBuilder();
      try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          if (!swallowAnswer) {
            out.write(buffer, 0, n);
            out.flush();
            continue;
          }
          // ReadyForQuery ('Z', length 5): the server has run and committed the statement
          answer.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
          if (answer.indexOf("Z\0\0\0\u0005") >= 0) {
            cutBoth();
            return;
          }
        }
      } catch (IOException e) {
        // cut
      } finally {
        cutBothQuietly();
      }
    }

    private void cutBoth() {
      cuts.incrementAndGet();
      if (outageAfterCut) {
        outage = true;
        open.forEach(CommitCuttingProxy::closeQuietly);
      }
      cutBothQuietly();
    }

    private void cutBothQuietly() {
      closeQuietly(client);
      closeQuietly(server);
      open.remove(client);
      open.remove(server);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
