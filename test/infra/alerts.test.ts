import { ALERT_EVENTS } from '../../shared/telemetry/telemetry';
import { evaluate } from './armExpression';
import { compileMainTemplate, ofType, single, type ArmTemplate } from './armTemplate';

let template: ArmTemplate;
beforeAll(() => {
  template = compileMainTemplate();
}, 180_000);

describe('alerts to administrators (compiled main.bicep)', () => {
  it('e-mail the administrators named by a parameter through one action group', () => {
    const group = single(template, 'Microsoft.Insights/actionGroups').resource;
    expect(group.location).toBe('global');
    expect(group.properties.copy).toEqual([
      expect.objectContaining({ name: 'emailReceivers', count: "[length(parameters('emailReceivers'))]" }),
    ]);
    expect(template.parameters.alertEmailReceivers).toMatchObject({ type: 'array', defaultValue: [] });
  });

  it('watch each custom event the app emits for an alert, by the name the app uses', () => {
    const alertsModule = ofType(template, 'Microsoft.Resources/deployments').find(
      ({ resource }) => resource.name === 'alerts',
    )!.resource;
    expect(evaluate(alertsModule.properties.parameters.events.value, template)).toEqual(ALERT_EVENTS);

    const rules = single(template, 'Microsoft.Insights/scheduledQueryRules').resource;
    expect(rules.copy.count).toBe("[length(variables('rules'))]");
    const declared = alertsModule.properties.template.variables.rules as { event: string }[];
    expect(declared.map((rule) => rule.event)).toEqual(
      Object.keys(ALERT_EVENTS).map((key) => `[parameters('events').${key}]`),
    );
    const criteria = rules.properties.criteria.allOf[0];
    expect(criteria.query).toContain('customEvents | where name == ');
    expect(criteria).toMatchObject({ timeAggregation: 'Count', operator: 'GreaterThan', threshold: 0 });
    expect(rules.properties.scopes).toEqual(["[parameters('applicationInsightsId')]"]);
    expect(JSON.stringify(rules.properties.actions)).toContain('Microsoft.Insights/actionGroups');
  });
});
