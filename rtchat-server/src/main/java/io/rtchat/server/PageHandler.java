package io.rtchat.server;

import io.rtchat.server.auth.ChatClaims;
import io.rtchat.server.auth.InvalidTokenException;
import io.rtchat.server.auth.JwtService;
import io.rtchat.server.chat.ChatRoom;
import io.rtchat.server.chat.Html;
import io.rtchat.server.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The chat page and its assets: our own page from the classpath ({@code io/rtchat/server/web/},
 * with {@code <!--rtchat:boot-->} replaced by {@code window.RTCHAT_BOOT}), or an operator's BareRTC
 * build from {@code WebRoot} (spec §9). Any unknown path serves the page, as BareRTC does.
 */
final class PageHandler extends Handler.Abstract {
  static final String BOOT_MARKER = "<!--rtchat:boot-->";
  private static final String WEB = "io/rtchat/server/web/";
  private static final Pattern SAFE_PATH = Pattern.compile("(/[A-Za-z0-9_][A-Za-z0-9_.\\-]*)+");
  private static final String FALLBACK_INDEX = "<!doctype html><html><head><meta charset=\"utf-8\"><title>rtchat</title>"
      + BOOT_MARKER + "</head><body><p>The chat page is not installed in this build.</p></body></html>";

  private final ChatRoom room;
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  PageHandler(ChatRoom room) {
    this.room = room;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String method = request.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD") && !method.equals("POST")) {
      HttpSupport.text(response, callback, 405, "text/plain; charset=utf-8", "Method not allowed\n");
      return true;
    }
    Settings settings = room.settings();
    String path = Request.getPathInContext(request);
    if (path.equals("/about")) {
      HttpSupport.text(response, callback, 200, "text/html; charset=utf-8", "<!doctype html><title>About</title><p>"
          + Html.escape(settings.title) + " runs rtchat-server, a BareRTC-compatible chat server.</p><p><a href=\"/\">Back to chat</a></p>");
      return true;
    }
    if (path.equals("/logout")) {
      HttpSupport.text(response, callback, 200, "text/html; charset=utf-8",
          "<!doctype html><title>Logged out</title><p>You have been logged out of the chat.</p><p><a href=\"/\">Back to chat</a></p>");
      return true;
    }
    boolean webRoot = !settings.webRoot.isBlank();
    if (!path.equals("/") && !method.equals("POST") && SAFE_PATH.matcher(path).matches()) {
      byte[] asset = webRoot ? webRootAsset(Path.of(settings.webRoot), path) : classpathAsset(path);
      if (asset != null) {
        response.setStatus(200);
        String type = MimeTypes.DEFAULTS.getMimeByExtension(path);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type == null ? "application/octet-stream" : type);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.write(true, method.equals("HEAD") ? ByteBuffer.allocate(0) : ByteBuffer.wrap(asset), callback);
        return true;
      }
    }
    if (webRoot && (path.startsWith("/assets/") || path.startsWith("/static/"))) {
      HttpSupport.text(response, callback, 404, "text/plain; charset=utf-8", "Not found\n");
      return true;
    }
    servePage(request, response, callback, settings, webRoot);
    return true;
  }

  private void servePage(Request request, Response response, Callback callback, Settings settings, boolean webRoot)
      throws Exception {
    Fields params = request.getMethod().equals("POST") ? Request.getParameters(request) : Request.extractQueryParameters(request);
    String token = params.getValue("jwt");
    ChatClaims claims = null;
    JwtService jwt = room.jwt();
    if (settings.jwt.enabled && jwt != null) {
      if (token != null && !token.isBlank()) {
        try {
          claims = jwt.verify(token);
        } catch (InvalidTokenException e) {
          HttpSupport.text(response, callback, 403, "text/plain; charset=utf-8", "Error parsing your JWT token: " + e.getMessage() + "\n");
          return;
        }
      } else if (settings.jwt.strict) {
        if (!settings.jwt.landingPageUrl.isBlank()) {
          Response.sendRedirect(request, response, callback, 302, settings.jwt.landingPageUrl, false);
        } else {
          HttpSupport.text(response, callback, 403, "text/plain; charset=utf-8", "Authentication denied. Please go back and try again.\n");
        }
        return;
      }
    } else {
      token = null; // tokens are ignored while JWT is disabled (spec §8.5.5)
    }
    PageModel model = new PageModel(settings, claims == null ? null : token, claims, room);
    String html;
    if (webRoot) {
      String template = Files.readString(Path.of(settings.webRoot, "index.html"), StandardCharsets.UTF_8);
      html = WebRootTemplate.render(template, model);
    } else {
      byte[] index = classpathAsset("/index.html");
      String page = index == null ? FALLBACK_INDEX : new String(index, StandardCharsets.UTF_8);
      String boot = "<script>window.RTCHAT_BOOT = " + JsLiteral.of(model.boot()) + ";</script>";
      html = page.contains(BOOT_MARKER) ? page.replace(BOOT_MARKER, boot) : page;
    }
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put("Referrer-Policy", "no-referrer");
    HttpSupport.text(response, callback, 200, "text/html; charset=utf-8", html);
  }

  private byte[] classpathAsset(String path) {
    byte[] cached = cache.get(path);
    if (cached != null) {
      return cached.length == 0 ? null : cached;
    }
    byte[] bytes = new byte[0];
    String last = path.substring(path.lastIndexOf('/') + 1);
    if (last.contains(".")) {
      try (InputStream in = PageHandler.class.getClassLoader().getResourceAsStream(WEB + path.substring(1))) {
        if (in != null) {
          bytes = in.readAllBytes();
        }
      } catch (IOException e) {
        bytes = new byte[0];
      }
    }
    if (bytes.length > 0) {
      cache.put(path, bytes);
    }
    return bytes.length == 0 ? null : bytes;
  }

  private static byte[] webRootAsset(Path root, String path) throws IOException {
    if (!path.startsWith("/assets/") && !path.startsWith("/static/") && !path.equals("/favicon.ico")) {
      return null;
    }
    Path base = root.toAbsolutePath().normalize();
    Path file = base.resolve(path.substring(1)).normalize();
    if (!file.startsWith(base) || !Files.isRegularFile(file)) {
      return null;
    }
    return Files.readAllBytes(file);
  }
}
