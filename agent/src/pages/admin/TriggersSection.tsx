import { BusinessRuleSection } from './business-rules.tsx';

/**
 * Triggers: rules that run, in this order, every time a ticket is created or updated. The default ones
 * send Haven's ticket emails.
 */
export default function TriggersSection() {
  return <BusinessRuleSection kind="triggers" />;
}
