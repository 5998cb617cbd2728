/** Running what a button asks of the server: confirm first when it deletes, keep the error to show. */
import { useState } from 'preact/hooks';

export function useAction(after?: () => void) {
  const [error, setError] = useState<unknown>();
  const run = async (task: () => Promise<unknown>, confirmText?: string): Promise<boolean> => {
    if (confirmText && !confirm(confirmText)) return false;
    setError(undefined);
    try {
      await task();
      after?.();
      return true;
    } catch (e) {
      setError(e);
      return false;
    }
  };
  return { error, setError, run };
}
