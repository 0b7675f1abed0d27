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
 * Functions serialised as activations, initializers, regularizers or constraints ({@code
 * "class_name": "function"} or {@code "__lambda__"}) are named by their {@code module}, which is
 * judged like a layer's; custom objects ({@code registered_name} {@code pkg>Name}) are code the
 * loader supplies.
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
      case "class_name", "registered_name" -> className(text, at);
      case "module", "function_module", "output_shape_module" -> module(text, at);
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
      case "vocabulary" ->
          // StringLookup, IntegerLookup, TextVectorization: a string is a path read at load time.
          out.add(
              "keras.external-file",
              Severity.HIGH,
              at,
              text,
              "layer reads its vocabulary from a file named in the config when loaded");
      default -> {}
    }
  }

  /**
   * Keras resolves an object by its {@code class_name} or {@code registered_name}; both may carry a
   * module path ({@code keras.layers.Lambda}) or a registration package ({@code pkg>Name}), so the
   * last segment decides what it is.
   */
  private void className(String text, String at) {
    String simple = text.substring(Math.max(text.lastIndexOf('.'), text.lastIndexOf('>')) + 1);
    int gt = text.indexOf('>');
    if (simple.equals("Lambda")) {
      out.add(
          "keras.lambda-layer",
          Severity.CRITICAL,
          at,
          text,
          "Lambda layer: holds Python bytecode that runs when the model is loaded");
    } else if (text.equals("__lambda__")) {
      out.add(
          "keras.lambda-layer",
          Severity.CRITICAL,
          at,
          text,
          "serialised lambda function (activation, initializer, regularizer, constraint...):"
              + " Python bytecode that runs when loaded");
    } else if (simple.equals("TorchModuleWrapper")) {
      out.add(
          "keras.torch-module-wrapper",
          Severity.CRITICAL,
          at,
          text,
          "TorchModuleWrapper unpickles a torch module when loaded");
    } else if (simple.equals("TFSMLayer")) {
      out.add(
          "keras.tfsm-layer",
          Severity.HIGH,
          at,
          text,
          "TFSMLayer loads a TensorFlow SavedModel (and its graph code) from a path");
    } else if (gt >= 0) {
      String pkg = text.substring(0, gt);
      if (!pkg.equals("keras") && !pkg.startsWith("keras.")) {
        out.add(
            "keras.custom-object",
            Severity.HIGH,
            at,
            text,
            "custom object registered by package '"
                + pkg
                + "': code outside Keras that the loading process supplies and runs");
      }
    }
  }

  private void module(String text, String at) {
    if (text.equals("keras") || text.startsWith("keras.")) {
      return;
    }
    // builtins and __main__ hand out eval/exec and whatever the loading script defines.
    boolean dangerous =
        PicklePolicy.dangerous(new PickleImport(text, "x"))
            || text.equals("builtins")
            || text.equals("__builtin__")
            || text.equals("__main__");
    out.add(
        "keras.non-keras-module",
        dangerous ? Severity.CRITICAL : Severity.HIGH,
        at,
        text,
        "config deserialises an object (layer, function, initializer...) from a module outside"
            + " keras.*");
  }
}
