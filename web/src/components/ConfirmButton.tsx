import { useEffect, useRef, useState } from 'react';
import { SubmitButton } from './SubmitButton.tsx';

/**
 * A destructive action in two steps, without a modal: the first click asks, in place, and moves focus to the
 * confirming button; Cancel (or Escape) puts focus back.
 */
export function ConfirmButton({ label, question, confirmLabel, pending, onConfirm }:
  { label: string; question: string; confirmLabel: string; pending: boolean; onConfirm(): void }) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (wasAsking.current) openRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking) return <button ref={openRef} type="button" className="button danger" onClick={() => setAsking(true)}>{label}</button>;
  return (
    <div className="confirm" role="group" aria-label={question} onKeyDown={(e) => { if (e.key === 'Escape') setAsking(false); }}>
      <p>{question}</p>
      <SubmitButton ref={confirmRef} type="button" className="button danger" pending={pending} pendingText="Working…" onClick={onConfirm}>{confirmLabel}</SubmitButton>
      <button type="button" className="button" onClick={() => setAsking(false)}>Cancel</button>
    </div>
  );
}
