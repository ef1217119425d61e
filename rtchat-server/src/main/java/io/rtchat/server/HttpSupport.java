package io.rtchat.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Small helpers for Jetty core handlers. */
final class HttpSupport {
  static final ObjectMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private HttpSupport() {}

  /** An oversize body up to this size is read and dropped before the 413; larger ones are cut off. */
  static final int DRAINED_EXCESS_MAX = 1 << 20;

  /**
   * Reads at most {@code max} bytes of body; null when larger. A body that is not much larger is
   * read to its end first: closing on a client that is still sending makes its TCP stack reset the
   * connection, and the client would see the reset instead of the 413.
   */
  static String body(Request request, int max) throws Exception {
    long len = request.getLength();
    try (InputStream in = Request.asInputStream(request)) {
      if (len > max) {
        drainIfSmall(in, len);
        return null;
      }
      byte[] bytes = in.readNBytes(max + 1);
      if (bytes.length > max) {
        drainIfSmall(in, -1);
        return null;
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private static void drainIfSmall(InputStream in, long declaredLength) throws IOException {
    if (declaredLength > DRAINED_EXCESS_MAX) {
      return;
    }
    byte[] sink = new byte[8192];
    long left = DRAINED_EXCESS_MAX;
    for (int n; left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) >= 0; ) {
      left -= n;
    }
  }

  static void text(Response response, Callback callback, int status, String contentType, String body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    Content.Sink.write(response, true, body, callback);
  }

  static void json(Response response, Callback callback, int status, Object body) {
    String s;
    try {
      s = PRETTY.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    text(response, callback, status, "application/json; charset=utf-8", s + "\n");
  }

  static void jsonError(Response response, Callback callback, int status, String error) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("OK", false);
    m.put("Error", error);
    json(response, callback, status, m);
  }

  static Map<String, Object> ok() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("OK", true);
    return m;
  }
}
