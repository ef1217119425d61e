package io.rtchat.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rtchat.server.auth.JwtService;
import io.rtchat.server.backplane.BackplaneServices;
import io.rtchat.server.backplane.MqttBackplane;
import io.rtchat.server.chat.ChatMetrics;
import io.rtchat.server.chat.ChatRoom;
import io.rtchat.server.config.Settings;
import io.rtchat.server.config.SettingsException;
import io.rtchat.server.config.SettingsLoader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.eclipse.jetty.websocket.server.WebSocketCreator;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat server: one Jetty 12 server on one port serving the page, {@code /ws} (BareRTC
 * protocol), {@code /poll}, {@code /api/*}, {@code /metrics}, plus whatever
 * {@link ServerExtension}s mount. Keeps no state on disk.
 *
 * <pre>{@code
 * try (RtchatServer server = RtchatServer.builder().settings(settings).port(0).build()) {
 *   URI uri = server.start();
 * }
 * }</pre>
 */
public final class RtchatServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RtchatServer.class);

  private final Settings settings;
  private final Path settingsFile;
  private final String host;
  private final int port;
  private final List<ServerExtension> extensions;
  private final Clock clock;
  private final Runnable onShutdownRequest;
  private final URI backplaneUrl;
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();

  private Server server;
  private ServerConnector connector;
  private ServerWebSocketContainer container;
  private ScheduledExecutorService scheduler;
  private PrometheusMeterRegistry registry;
  private ChatMetrics metrics;
  private ChatRoom room;
  private PollHandler poll;
  private MqttBackplane backplane;
  private URI uri;
  private boolean closing;

  private RtchatServer(Builder b) {
    this.settings = b.settings == null ? SettingsLoader.defaults() : b.settings;
    this.settingsFile = b.settingsFile;
    this.host = b.host;
    this.port = b.port;
    this.extensions = List.copyOf(b.extensions);
    this.clock = b.clock;
    this.onShutdownRequest = b.onShutdownRequest;
    this.backplaneUrl = b.backplane != null ? b.backplane
        : this.settings.backplane != null && this.settings.backplane.enabled()
            ? URI.create(this.settings.backplane.url.trim()) : null;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts listening and returns {@code http://host:port} with the real port. */
  public synchronized URI start() throws Exception {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    SettingsLoader.validate(settings);
    JwtService jwt = settings.jwt.enabled
        ? new JwtService(settings.jwt.secretKey, Duration.ofMinutes(settings.jwt.maxLifetimeMinutes), clock) : null;
    if (settings.directMessageHistory.enabled) {
      log.warn("DirectMessageHistory.Enabled is set, but this server stores nothing on disk: DM history is off");
    }
    if (settings.logging.enabled) {
      log.warn("Logging.Enabled is set, but this server writes no chat logs to disk");
    }
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics = new ChatMetrics(registry);
    room = new ChatRoom(settings, jwt, metrics, clock, new ChatRoom.Host() {
      @Override
      public void shutdown() {
        requestShutdown();
      }

      @Override
      public Settings reload() throws Exception {
        if (settingsFile == null) {
          throw new SettingsException("this server was started without a settings file");
        }
        return SettingsLoader.load(settingsFile);
      }

      @Override
      public void schedule(Runnable task, long delayMillis) {
        scheduler.schedule(() -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            log.warn("scheduled task failed", e);
          }
        }, delayMillis, TimeUnit.MILLISECONDS);
      }
    });

    QueuedThreadPool pool = new QueuedThreadPool(200, 4);
    pool.setName("rtchat-http");
    server = new Server(pool);
    server.setStopTimeout(5_000);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(30_000);
    server.addConnector(connector);
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "rtchat-timer");
      t.setDaemon(true);
      return t;
    });
    if (backplaneUrl != null) {
      backplane = new MqttBackplane(settings.backplane, backplaneUrl, room);
      room.attach(backplane);
      MqttBackplane bp = backplane;
      io.micrometer.core.instrument.Gauge.builder("rtchat.backplane.connected", bp, b -> b.connected() ? 1 : 0)
          .description("1 while connected to the backplane broker").register(registry);
      io.micrometer.core.instrument.FunctionCounter.builder("rtchat.backplane.connects", bp, b -> b.connectCount())
          .description("connections made to the backplane broker (reconnects included)").register(registry);
      io.micrometer.core.instrument.FunctionCounter.builder("rtchat.backplane.publishes.dropped", bp,
          b -> b.droppedPublishes()).description("backplane publishes dropped: too many unacknowledged").register(registry);
      try {
        backplane.start().get(5, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        log.warn("backplane {} not connected after 5 s; serving local users and retrying", backplaneUrl);
      } catch (java.util.concurrent.ExecutionException e) {
        log.warn("backplane {} failed: {}", backplaneUrl, e.getCause().toString());
      }
    }

    int capacity = settings.limits.sendQueueMessages;
    poll = new PollHandler(room, metrics, capacity);
    Map<String, Handler> mounted = new LinkedHashMap<>();
    Map<String, WebSocketCreator> sockets = new LinkedHashMap<>();
    Mounts mounts = new Mounts() {
      @Override
      public void handler(String path, Handler handler) {
        mounted.put(checkPath(path), Objects.requireNonNull(handler));
      }

      @Override
      public void webSocket(String path, WebSocketCreator creator) {
        sockets.put(checkPath(path), Objects.requireNonNull(creator));
      }

      @Override
      public Server server() {
        return server;
      }

      @Override
      public Settings settings() {
        return settings;
      }

      @Override
      public Optional<BackplaneServices> backplane() {
        return Optional.ofNullable(backplane);
      }
    };
    for (ServerExtension e : extensions) {
      e.mount(mounts);
      log.info("mounted extension {}", e.name());
    }

    Router router = new Router(mounted, poll, new ApiHandler(room, registry, this::requestShutdown), new PageHandler(room));
    WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, c -> {
      container = c;
      c.setMaxTextMessageSize(settings.webSocketReadLimit);
      c.setMaxBinaryMessageSize(settings.webSocketReadLimit);
      c.setMaxFrameSize(settings.webSocketReadLimit);
      c.setIdleTimeout(Duration.ofSeconds(settings.limits.idleTimeoutSeconds));
      c.addMapping("/ws", (req, resp, cb) -> {
        resp.setExtensions(List.of()); // no permessage-deflate (spec §1)
        return new ChatSocket(room, metrics, server.getThreadPool(), scheduler, clientIp(req), capacity);
      });
      sockets.forEach(c::addMapping);
    });
    ws.setHandler(router);
    server.setHandler(new OriginCheck(ws));
    server.start();
    String shownHost = host == null || host.isEmpty() || host.equals("0.0.0.0") ? "0.0.0.0" : host;
    uri = URI.create("http://" + (shownHost.contains(":") ? "[" + shownHost + "]" : shownHost) + ":" + connector.getLocalPort());
    scheduler.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    log.info("rtchat-server started on {} ({} public channels, JWT {}, {})", uri, settings.publicChannels.size(),
        settings.jwt.enabled ? (settings.jwt.strict ? "strict" : "optional") : "off",
        backplane == null ? "single instance" : "backplane " + backplaneUrl + " as instance " + backplane.instanceId());
    return uri;
  }

  private void tick() {
    try {
      room.tick();
      poll.sweep();
    } catch (RuntimeException e) {
      log.warn("timer task failed", e);
    }
  }

  private static String checkPath(String path) {
    if (path == null || !path.startsWith("/") || path.length() < 2 || path.equals("/ws") || path.equals("/poll")
        || (path.startsWith("/api") && !ApiHandler.isFreeForExtensions(path)) || path.equals("/metrics")) {
      throw new IllegalArgumentException("cannot mount at " + path);
    }
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /** The log-only client address (spec §1), taking proxies' headers only when configured. */
  private String clientIp(Request req) {
    if (settings.useXForwardedFor) {
      String real = req.getHeaders().get("X-Real-IP");
      if (real != null && !real.isBlank()) {
        return real.trim();
      }
      String xff = req.getHeaders().get(HttpHeader.X_FORWARDED_FOR);
      if (xff != null && !xff.isBlank()) {
        return xff.split(",")[0].trim();
      }
    }
    return Request.getRemoteAddr(req) + ":" + Request.getRemotePort(req);
  }

  /** /shutdown or /api/shutdown: let notices flush, then stop. */
  private void requestShutdown() {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(500); // lets the shutdown notice reach the clients before the close frames
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      close();
      if (onShutdownRequest != null) {
        onShutdownRequest.run();
      }
    }, "rtchat-shutdown");
    t.setDaemon(false);
    t.start();
  }

  public synchronized URI uri() {
    return uri;
  }

  /** Completes when the server has stopped (by {@link #close()}, /shutdown or the admin API). */
  public CompletableFuture<Void> stopped() {
    return stopped;
  }

  /** The Prometheus registry behind /metrics. */
  public PrometheusMeterRegistry meterRegistry() {
    return registry;
  }

  ChatRoom room() {
    return room;
  }

  ChatMetrics metrics() {
    return metrics;
  }

  /** The scale-out backplane, or null when none is configured (single instance, no broker traffic). */
  MqttBackplane backplane() {
    return backplane;
  }

  /** Graceful stop: every WebSocket gets a close frame (1001), then Jetty stops. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closing || server == null) {
        stopped.complete(null);
        return;
      }
      closing = true;
    }
    try {
      if (backplane != null) {
        backplane.close(); // clears this instance's presence everywhere
      }
      room.closeAll();
      for (ServerExtension e : extensions) {
        try {
          e.goingAway();
        } catch (RuntimeException ex) {
          log.warn("error closing the connections of extension {}", e.name(), ex);
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (container != null && !container.getOpenSessions().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20); // waiting for close handshakes during shutdown, not test synchronisation
      }
      server.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("error stopping the server", e);
    } finally {
      scheduler.shutdownNow();
      for (ServerExtension e : extensions) {
        try {
          e.close();
        } catch (RuntimeException ex) {
          log.warn("error closing extension {}", e.name(), ex);
        }
      }
      registry.close();
      log.info("rtchat-server stopped");
      stopped.complete(null);
    }
  }

  /** Routes plain HTTP requests (WebSocket upgrades were taken before this). */
  private static final class Router extends Handler.Abstract {
    private final Map<String, Handler> mounted;
    private final Handler poll;
    private final Handler api;
    private final Handler page;

    Router(Map<String, Handler> mounted, Handler poll, Handler api, Handler page) {
      this.mounted = mounted;
      this.poll = poll;
      this.api = api;
      this.page = page;
      mounted.values().forEach(this::installBean);
      installBean(poll);
      installBean(api);
      installBean(page);
    }

    @Override
    public void setServer(Server server) {
      super.setServer(server);
      mounted.values().forEach(h -> h.setServer(server));
      poll.setServer(server);
      api.setServer(server);
      page.setServer(server);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String path = Request.getPathInContext(request);
      for (Map.Entry<String, Handler> e : mounted.entrySet()) {
        if (path.equals(e.getKey()) || path.startsWith(e.getKey() + "/")) {
          if (e.getValue().handle(request, response, callback)) {
            return true;
          }
        }
      }
      if (path.equals("/ws")) {
        if (!request.getMethod().equals("GET")) {
          HttpSupport.text(response, callback, 405, "text/plain; charset=utf-8", "Method not allowed\n");
        } else if (request.getHeaders().get(HttpHeader.SEC_WEBSOCKET_VERSION) != null
            && !"13".equals(request.getHeaders().get(HttpHeader.SEC_WEBSOCKET_VERSION))) {
          HttpSupport.text(response, callback, 400, "text/plain; charset=utf-8", "Unsupported WebSocket version\n");
        } else {
          response.getHeaders().put(HttpHeader.UPGRADE, "websocket");
          HttpSupport.text(response, callback, 426, "text/plain; charset=utf-8", "Upgrade Required\n");
        }
        return true;
      }
      if (path.equals("/poll")) {
        return poll.handle(request, response, callback);
      }
      if (path.startsWith("/api/") || path.equals("/metrics")) {
        return api.handle(request, response, callback);
      }
      return page.handle(request, response, callback);
    }
  }

  /**
   * /ws Origin check (spec §1): a present Origin must match Host or be listed in CORSHosts, else 403.
   */
  private final class OriginCheck extends Handler.Wrapper {
    OriginCheck(Handler next) {
      super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      if (Request.getPathInContext(request).equals("/ws")) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null && !originAllowed(origin, request.getHeaders().get(HttpHeader.HOST))) {
          log.info("refused /ws from origin {}", origin);
          HttpSupport.text(response, callback, 403, "text/plain; charset=utf-8", "Origin not allowed\n");
          return true;
        }
      }
      return super.handle(request, response, callback);
    }
  }

  boolean originAllowed(String origin, String hostHeader) {
    if (settings.corsHosts.contains(origin)) {
      return true;
    }
    try {
      URI o = URI.create(origin);
      if (o.getHost() == null || hostHeader == null) {
        return false;
      }
      String hostPort = o.getHost() + (o.getPort() >= 0 ? ":" + o.getPort() : "");
      return hostPort.toLowerCase(Locale.ROOT).equals(hostHeader.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Fluent configuration; everything is optional. */
  public static final class Builder {
    private Settings settings;
    private Path settingsFile;
    private String host = "127.0.0.1";
    private int port = 8080;
    private final List<ServerExtension> extensions = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private Runnable onShutdownRequest;
    private URI backplane;

    private Builder() {}

    /** The MQTT broker to share the chat through ({@code mqtt://host:port}); overrides {@code [Backplane] URL}. */
    public Builder backplane(URI url) {
      if (url != null && !("mqtt".equals(url.getScheme()) || "mqtts".equals(url.getScheme())) || url != null && url.getHost() == null) {
        throw new IllegalArgumentException("backplane must look like mqtt://host:port, got " + url);
      }
      this.backplane = url;
      return this;
    }

    public Builder settings(Settings settings) {
      this.settings = settings;
      return this;
    }

    /** The file {@code /reconfigure} reloads. */
    public Builder settingsFile(Path file) {
      this.settingsFile = file;
      return this;
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** 0 picks a free port; {@link #start()} returns the real one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder extension(ServerExtension extension) {
      extensions.add(Objects.requireNonNull(extension));
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Runs after an operator or the admin API shut the server down (ServerMain exits). */
    public Builder onShutdownRequest(Runnable r) {
      this.onShutdownRequest = r;
      return this;
    }

    public RtchatServer build() {
      return new RtchatServer(this);
    }
  }
}
