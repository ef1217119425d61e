package io.rtchat.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
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

  /** Reads at most {@code max} bytes of body; null when larger. */
  static String body(Request request, int max) throws Exception {
    long len = request.getLength();
    if (len > max) {
      return null;
    }
    try (java.io.InputStream in = Request.asInputStream(request)) {
      byte[] bytes = in.readNBytes(max + 1);
      return bytes.length > max ? null : new String(bytes, StandardCharsets.UTF_8);
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
