package io.rtchat.server.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Outbound webhook POSTs (spec §8.3): JSON body, 10 s timeout, must answer 200. */
final class Webhooks {
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final ObjectMapper json;

  Webhooks(ObjectMapper json) {
    this.json = json;
  }

  CompletableFuture<String> post(String url, Object body) {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
          .build();
      return client.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
        if (r.statusCode() != 200) {
          throw new IllegalStateException("the website answered HTTP " + r.statusCode());
        }
        return r.body();
      });
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
