package org.factline.javaclient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Structural JSON comparison (the store may re-serialize; key order and spacing do not matter). */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException("not JSON: " + json, e);
    }
  }
}
