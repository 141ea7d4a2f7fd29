/** The twelve keys of a telephone keypad (ITU-T E.161), with their letters as a visual hint only. */
const keys: ReadonlyArray<readonly [string, string]> = [
  ['1', ''],
  ['2', 'ABC'],
  ['3', 'DEF'],
  ['4', 'GHI'],
  ['5', 'JKL'],
  ['6', 'MNO'],
  ['7', 'PQRS'],
  ['8', 'TUV'],
  ['9', 'WXYZ'],
  ['*', ''],
  ['0', '+'],
  ['#', ''],
];

export interface DialPadProps {
  readonly label: string;
  readonly onKey: (key: string) => void;
  readonly disabled?: boolean;
}

export function DialPad({ label, onKey, disabled = false }: DialPadProps) {
  return (
    <div className="dial-pad" role="group" aria-label={label}>
      {keys.map(([key, letters]) => (
        <button key={key} type="button" className="dial-key" aria-label={key} disabled={disabled} onClick={() => onKey(key)}>
          <span className="dial-key-digit" aria-hidden="true">
            {key}
          </span>
          <span className="dial-key-letters" aria-hidden="true">
            {letters}
          </span>
        </button>
      ))}
    </div>
  );
}
