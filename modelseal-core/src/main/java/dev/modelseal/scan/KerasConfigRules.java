package dev.modelseal.scan;

import com.fasterxml.jackson.core.JsonToken;
import java.util.List;
import java.util.Locale;

/**
 * The checks on a Keras v3 archive's {@code config.json}, applied to every value wherever it sits
 * in the config (layers nest inside layers, functional models inside sequential ones): {@code
 * Lambda} layers (marshalled Python bytecode), {@code module}/{@code class_name} outside {@code
 * keras.*}, {@code TorchModuleWrapper} (a pickled torch module), {@code TFSMLayer} (loads a
 * SavedModel from a path), {@code enable_unsafe_deserialization}, {@code get_file} (downloads).
 */
final class KerasConfigRules {
  private final Findings out;
  private final String where;

  KerasConfigRules(Findings out, String where) {
    this.out = out;
    this.where = where;
  }

  void scalar(List<String> path, JsonToken token, String text) {
    if (path.isEmpty()) {
      return;
    }
    String key = path.getLast();
    String at = Findings.at(where, "key " + JsonWalker.path(path));
    if ((token == JsonToken.VALUE_STRING && text.contains("enable_unsafe_deserialization"))
        || key.equals("enable_unsafe_deserialization")) {
      out.add(
          "keras.unsafe-deserialization",
          Severity.CRITICAL,
          at,
          "enable_unsafe_deserialization",
          "config turns Keras safe mode off while loading");
    }
    if (token != JsonToken.VALUE_STRING) {
      return;
    }
    if (text.contains("get_file")) {
      out.add(
          "keras.get-file",
          Severity.HIGH,
          at,
          text,
          "config refers to get_file, which downloads files at load time");
    }
    switch (key) {
      case "class_name" -> {
        switch (text) {
          case "Lambda" ->
              out.add(
                  "keras.lambda-layer",
                  Severity.CRITICAL,
                  at,
                  text,
                  "Lambda layer: holds Python bytecode that runs when the model is loaded");
          case "TorchModuleWrapper" ->
              out.add(
                  "keras.torch-module-wrapper",
                  Severity.CRITICAL,
                  at,
                  text,
                  "TorchModuleWrapper unpickles a torch module when loaded");
          case "TFSMLayer" ->
              out.add(
                  "keras.tfsm-layer",
                  Severity.HIGH,
                  at,
                  text,
                  "TFSMLayer loads a TensorFlow SavedModel (and its graph code) from a path");
          default -> {}
        }
      }
      case "module" -> {
        if (!text.equals("keras") && !text.startsWith("keras.")) {
          boolean dangerous = PicklePolicy.dangerous(new PickleImport(text, "x"));
          out.add(
              "keras.non-keras-module",
              dangerous ? Severity.CRITICAL : Severity.HIGH,
              at,
              text,
              "config deserialises an object from a module outside keras.*");
        }
      }
      case "function", "function_type" -> {
        if (text.toLowerCase(Locale.ROOT).equals("lambda")) {
          out.add(
              "keras.lambda-layer",
              Severity.CRITICAL,
              at,
              text,
              "config holds a lambda function: Python bytecode that runs when loaded");
        }
      }
      default -> {}
    }
  }
}
