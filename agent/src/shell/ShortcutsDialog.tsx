import { Dialog } from '../components/Dialog.tsx';
import { t } from '../i18n/index.ts';
import { useRegisteredShortcuts } from '../lib/shortcuts.tsx';

/** `?`: the shortcuts that work on this screen right now. */
export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const shortcuts = useRegisteredShortcuts();
  return (
    <Dialog title={t('shell.shortcuts.title')} open={open} onClose={onClose}>
      <table className="shortcuts">
        <tbody>
          {shortcuts.map((s) => (
            <tr key={s.keys}>
              <th scope="row">
                {s.keys.split(' ').map((k) => (
                  <kbd key={k}>{k.replace('mod+', navigator.platform.includes('Mac') ? '⌘ ' : 'Ctrl ')}</kbd>
                ))}
              </th>
              <td>{t(s.description)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
