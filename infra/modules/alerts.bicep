@description('Name prefix of the action group and the alert rules.')
param namePrefix string
param location string
param tags object

@description('Application Insights the app sends its custom events to.')
param applicationInsightsId string

@description('E-mail addresses of the administrators who are told when exports need attention.')
param emailReceivers string[]

@description('Custom event names the app emits for each alert (shared/telemetry/telemetry.ts ALERT_EVENTS).')
param events object

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'rwx-admins'
    enabled: true
    emailReceivers: [
      for (address, index) in emailReceivers: {
        name: 'admin-${index}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
  }
}

var rules = [
  {
    key: 'segment-failed'
    event: events.segmentFailed
    severity: 1
    description: 'A segment of an export failed permanently: nothing was sent for it.'
  }
  {
    key: 'reauthorization-required'
    event: events.reauthorizationRequired
    severity: 1
    description: 'A RollWorks connection needs an administrator to sign in again; its exports cannot run.'
  }
  {
    key: 'budget-exhausted'
    event: events.budgetExhausted
    severity: 2
    description: 'The daily RollWorks request budget is used up; runs wait until the next UTC day.'
  }
  {
    key: 'export-overdue'
    event: events.exportOverdue
    severity: 2
    description: 'An enabled export has had no successful run for two of its schedule periods.'
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in rules: {
    name: 'alert-${namePrefix}-${rule.key}'
    location: location
    tags: tags
    properties: {
      displayName: 'RollWorks export: ${rule.key}'
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [applicationInsightsId]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT5M'
      autoMitigate: false
      criteria: {
        allOf: [
          {
            query: 'customEvents | where name == "${rule.event}"'
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
          }
        ]
      }
      actions: { actionGroups: [actionGroup.id] }
    }
  }
]

output actionGroupId string = actionGroup.id
