' TagihLite: our only VBA. The ribbon hands the clicked button's id to Python; every rule of
' the product lives in the tagihlite package. The status lists and fills below mirror
' tagihlite.core.vocab (Status.TODO/PROBLEM/DONE, HIGHLIGHT_FILLS); a test keeps them equal.
Option Explicit

Private Const TODO_STATUSES As String = "SIAP KIRIM"
Private Const PROBLEM_STATUSES As String = "DILEWATI|GAGAL|PERLU CEK"
Private Const DONE_STATUSES As String = "MENUNGGU|DIKIRIM|TERKIRIM|DIBACA"
Private Const TODO_FILL As String = "FFF2CC"
Private Const PROBLEM_FILL As String = "F8CBAD"
Private Const DONE_FILL As String = "C6EFCE"

' onAction of every button on the TagihLite ribbon tab.
Public Sub TagihLiteRibbon(control As IRibbonControl)
    RunPython "import tagihlite.excel as tx; tx.on_ribbon('" & control.Id & "')"
End Sub

' (Re)installs the three status highlights on rangeAddress (e.g. "A2:N51") of sheetName, keyed
' on each row's cell in statusColumn (a column letter, e.g. "K"). Removes only the rules that
' test a TagihLite status, so a clerk's own rules survive. Called from Python through
' book.macro("TagihLiteApplyHighlight"): xlwings has no conditional-formatting API.
Public Sub TagihLiteApplyHighlight(sheetName As String, rangeAddress As String, statusColumn As String)
    Dim target As Range, anchorRow As Long, previousStyle As Long
    Set target = ThisWorkbook.Worksheets(sheetName).Range(rangeAddress)
    RemoveTagihLiteRules target.Worksheet

    ' Excel reads a rule's relative row from the active cell, not from the range: writing the
    ' active cell's row makes the range's first row test its own status cell.
    anchorRow = target.Row
    On Error Resume Next
    anchorRow = ActiveCell.Row
    On Error GoTo 0

    previousStyle = Application.ReferenceStyle
    Application.ReferenceStyle = xlA1
    On Error GoTo Restore
    AddRule target, StatusFormula(statusColumn, anchorRow, TODO_STATUSES), TODO_FILL
    AddRule target, StatusFormula(statusColumn, anchorRow, PROBLEM_STATUSES), PROBLEM_FILL
    AddRule target, StatusFormula(statusColumn, anchorRow, DONE_STATUSES), DONE_FILL
Restore:
    Application.ReferenceStyle = previousStyle
    If Err.Number <> 0 Then Err.Raise Err.Number, Err.Source, Err.Description
End Sub

' "=($K5=""DILEWATI"")+($K5=""GAGAL"")": no function names and no list separators, so Excel
' reads it the same way in every language and regional setting.
Private Function StatusFormula(statusColumn As String, anchorRow As Long, statuses As String) As String
    Dim status As Variant, cell As String, result As String
    cell = "$" & statusColumn & CStr(anchorRow)
    For Each status In Split(statuses, "|")
        If result <> "" Then result = result & "+"
        result = result & "(" & cell & "=""" & status & """)"
    Next status
    StatusFormula = "=" & result
End Function

Private Sub AddRule(target As Range, ruleFormula As String, fillHex As String)
    Dim rule As FormatCondition
    Set rule = target.FormatConditions.Add(Type:=xlExpression, Formula1:=ruleFormula)
    rule.Interior.Color = RGB(CLng("&H" & Mid$(fillHex, 1, 2)), _
                              CLng("&H" & Mid$(fillHex, 3, 2)), _
                              CLng("&H" & Mid$(fillHex, 5, 2)))
    rule.StopIfTrue = False
End Sub

Private Sub RemoveTagihLiteRules(ws As Worksheet)
    Dim i As Long, ruleFormula As String
    For i = ws.Cells.FormatConditions.Count To 1 Step -1
        ruleFormula = ""
        On Error Resume Next  ' data bars and colour scales have no Formula1
        ruleFormula = ws.Cells.FormatConditions(i).Formula1
        On Error GoTo 0
        If IsTagihLiteRule(ruleFormula) Then ws.Cells.FormatConditions(i).Delete
    Next i
End Sub

' A rule is ours when its formula compares with a quoted TagihLite status.
Private Function IsTagihLiteRule(ruleFormula As String) As Boolean
    Dim status As Variant
    For Each status In Split(TODO_STATUSES & "|" & PROBLEM_STATUSES & "|" & DONE_STATUSES, "|")
        If InStr(1, ruleFormula, """" & status & """", vbBinaryCompare) > 0 Then
            IsTagihLiteRule = True
            Exit Function
        End If
    Next status
End Function
