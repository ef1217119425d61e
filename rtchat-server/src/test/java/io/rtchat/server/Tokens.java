package io.rtchat.server;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;

/** Test tokens, good and bad. */
final class Tokens {
  private Tokens() {}

  static String valid(String secret, String sub, Map<String, Object> claims) {
    return Jwts.builder().subject(sub).claims(claims)
        .expiration(Date.from(Instant.now().plus(Duration.ofMinutes(5))))
        .signWith(Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS256).compact();
  }

  static String valid(String sub, Map<String, Object> claims) {
    return valid(TestServers.SECRET, sub, claims);
  }

  static String expired(String sub) {
    return Jwts.builder().subject(sub).expiration(Date.from(Instant.now().minusSeconds(60)))
        .signWith(Keys.hmacShaKeyFor(TestServers.SECRET.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS256).compact();
  }

  static String noExpiry(String sub) {
    return Jwts.builder().subject(sub)
        .signWith(Keys.hmacShaKeyFor(TestServers.SECRET.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS256).compact();
  }

  static String hs512(String sub) {
    String longSecret = TestServers.SECRET + TestServers.SECRET;
    return Jwts.builder().subject(sub).expiration(Date.from(Instant.now().plusSeconds(300)))
        .signWith(Keys.hmacShaKeyFor(longSecret.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS512).compact();
  }

  /** An unsigned token claiming op ("alg":"none"). */
  static String algNone(String sub) {
    Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
    String header = b.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String body = b.encodeToString(("{\"sub\":\"" + sub + "\",\"op\":true,\"exp\":" + (Instant.now().getEpochSecond() + 300) + "}")
        .getBytes(StandardCharsets.UTF_8));
    return header + "." + body + ".";
  }
}
