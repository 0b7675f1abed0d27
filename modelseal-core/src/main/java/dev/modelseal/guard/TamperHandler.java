package dev.modelseal.guard;

/**
 * What the application does when the guard finds something ({@link TamperEvent}). Called on the
 * guard's own thread (re-verification or folder watch), one event at a time; the event is already
 * recorded in {@link GuardedModel#events()}.
 */
@FunctionalInterface
public interface TamperHandler {
  /**
   * The default: fail closed. An event that may affect the views revokes the model ({@link
   * GuardedModel#revoke}), so every later access throws {@link ModelTamperedException} and the
   * memory behind views already handed out is released (reading it throws too). Other events (a
   * file changed on disk while the private copy is served) are only recorded.
   */
  TamperHandler FAIL_CLOSED =
      (model, event) -> {
        if (event.affectsViews()) {
          model.revoke(event);
        }
      };

  void onTamper(GuardedModel model, TamperEvent event);
}
