package io.rtchat.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Tiny HTTP helpers for API tests. */
final class Http {
  static final HttpClient CLIENT = HttpClient.newHttpClient();

  private Http() {}

  record Reply(int status, JsonNode json, HttpResponse<String> raw) {}

  static Reply postJson(URI uri, String body) throws Exception {
    return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  static Reply send(HttpRequest req) throws Exception {
    HttpResponse<String> r = CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
    JsonNode json;
    try {
      json = WsClient.JSON.readTree(r.body());
    } catch (Exception e) {
      json = null;
    }
    return new Reply(r.statusCode(), json, r);
  }
}
