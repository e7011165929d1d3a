; every form of a [tcp:request] signature, our own lines
classes = win,unix,other

[mtu]
label = Ethernet
sig   = 1500

[tcp:request]
label = s:unix:Linux:3.11 and newer
sig   = *:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0
label = g:win:Windows:
sig   = 4:54+10:4:1460:mtu*4,*::ecn,0+:+
label = s:!:Scanner:SYN
sys   = @unix,Linux
sig   = 6:64-:0:265:%8192,0:nop,?30,sack,eol+3:flow,seq-,ack+,ack-,uptr+,urgf+,pushf+,ts1-,ts2+,opt+,exws,bad:*
sig   = *:128:0:0:0,0:eol+0::0

[tcp:response]
label = s:unix:Linux:3.x
sig   = *:64:0:*:mss*10,0:mss,sok,ts:df:0

[http:request]
ua_os = Linux,Windows
label = s:!:Firefox:2.x
sys   = Windows,@unix
sig   = *:Host,User-Agent,Accept=[,*/*;q=]:Accept-Charset:Firefox/
