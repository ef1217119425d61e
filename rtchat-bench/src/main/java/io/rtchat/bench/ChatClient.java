package io.rtchat.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * One chat client over java.net.http, the same code against rtchat-server and the raw baseline:
 * whole text frames go to a handler, everything is read as fast as it arrives.
 */
final class ChatClient implements WebSocket.Listener {

  final CompletableFuture<Void> loggedIn = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private final Consumer<String> frames;
  private volatile WebSocket socket;
  volatile int closeCode;

  private ChatClient(Consumer<String> frames) {
    this.frames = frames;
  }

  static CompletableFuture<ChatClient> connect(HttpClient http, URI uri, Consumer<String> frames) {
    ChatClient client = new ChatClient(frames);
    return http.newWebSocketBuilder().buildAsync(uri, client).thenApply(ws -> {
      client.socket = ws;
      return client;
    });
  }

  CompletableFuture<WebSocket> send(String text) {
    return socket.sendText(text, true);
  }

  /** Sends the login and completes {@link #loggedIn} at the server's {@code me}. */
  CompletableFuture<Void> login(String name) {
    send("{\"action\":\"login\",\"username\":\"" + name + "\",\"jwt\":\"\",\"dnd\":false}");
    return loggedIn;
  }

  boolean closed() {
    return closeCode != 0;
  }

  void abort() {
    WebSocket ws = socket;
    if (ws != null) {
      ws.abort();
    }
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    if (last && partial.length() == 0) {
      handle(data.toString());
    } else {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        handle(text);
      }
    }
    webSocket.request(1);
    return null;
  }

  private void handle(String text) {
    if (!loggedIn.isDone() && text.contains("\"action\":\"me\"")) {
      loggedIn.complete(null);
    }
    frames.accept(text);
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeCode = statusCode == 0 ? -1 : statusCode;
    loggedIn.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closeCode = -1;
    loggedIn.completeExceptionally(error);
  }
}
